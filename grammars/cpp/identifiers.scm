(identifier) @reference
(type_identifier) @reference
(namespace_identifier) @reference
(field_expression
  field: (field_identifier) @reference.member)
; `operator+` defined or called by name: a header's free operator declares it.
(operator_name) @reference
