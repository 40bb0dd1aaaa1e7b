(identifier) @reference
(shorthand_property_identifier) @reference
(member_expression
  property: [(property_identifier) (private_property_identifier)] @reference.member)
