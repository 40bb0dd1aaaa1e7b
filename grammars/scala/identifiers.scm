(identifier) @reference
(type_identifier) @reference
(field_expression
  field: (identifier) @reference.member)
; A type in an object or package: `mutable.Map[K, V]`.
(stable_type_identifier
  (type_identifier) @reference.member .)
