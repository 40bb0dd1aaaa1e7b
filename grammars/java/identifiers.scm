(identifier) @reference
(type_identifier) @reference
(field_access
  field: (identifier) @reference.member)
(method_invocation
  object: (_)
  name: (identifier) @reference.member)
(scoped_type_identifier
  (type_identifier) @reference.member .)
