"""Code review: units found with tree-sitter, findings placed on exact ranges, cached by content."""
