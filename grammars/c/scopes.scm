; Scopes whose header (the text before @body) is shown as context and that bound a review unit.
[
  (struct_specifier
    name: (type_identifier)? @name
    body: (field_declaration_list) @body)
  (union_specifier
    name: (type_identifier)? @name
    body: (field_declaration_list) @body)
  (enum_specifier
    name: (type_identifier)? @name
    body: (enumerator_list) @body)
] @scope.class

; The name sits under the declarators: `int f(void)`, `char *f(void)`, `char **f(void)`.
(function_definition
  declarator: [
    (function_declarator
      declarator: (identifier) @name)
    (pointer_declarator
      declarator: (function_declarator
        declarator: (identifier) @name))
    (pointer_declarator
      declarator: (pointer_declarator
        declarator: (function_declarator
          declarator: (identifier) @name)))
  ]
  body: (compound_statement) @body) @scope.function

[
  (if_statement consequence: (compound_statement) @body)
  (else_clause (compound_statement) @body)
  (for_statement body: (compound_statement) @body)
  (while_statement body: (compound_statement) @body)
  (do_statement body: (compound_statement) @body)
  (switch_statement body: (compound_statement) @body)
] @scope.block
