(identifier) @reference
(type_identifier) @reference
(package_identifier) @reference
(selector_expression
  field: (field_identifier) @reference.member)
(qualified_type
  name: (type_identifier) @reference.member)
