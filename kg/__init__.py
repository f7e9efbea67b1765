"""jiceng-kg: knowledge graphs from Chinese grassroots-governance news."""

__version__ = "0.1.0"
