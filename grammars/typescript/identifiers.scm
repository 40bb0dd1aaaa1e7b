(identifier) @reference
(type_identifier) @reference
(shorthand_property_identifier) @reference
(member_expression
  property: [(property_identifier) (private_property_identifier)] @reference.member)
(nested_type_identifier
  name: (type_identifier) @reference.member)
