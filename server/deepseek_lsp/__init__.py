"""deepseek-lsp: DeepSeek-powered inline completions and code review for any LSP editor."""

__version__ = "0.1.0"
