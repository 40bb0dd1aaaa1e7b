(identifier) @reference
(dot_index_expression
  field: (identifier) @reference.member)
(method_index_expression
  method: (identifier) @reference.member)
