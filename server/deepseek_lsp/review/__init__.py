"""Code review: units found with tree-sitter, findings placed on exact ranges, cached by content.

``units`` (what is reviewed and hashed), ``prompt`` (stable-first prompts, batching),
``findings`` (parsing answers, placing excerpts, following edits), ``cache`` (the persisted store
shared by editor and terminal), ``engine`` (one review of one document), ``feature`` (the LSP
side), ``cli``, ``report`` and ``sarif`` (the terminal and CI side).
"""
