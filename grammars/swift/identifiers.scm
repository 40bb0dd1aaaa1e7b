(simple_identifier) @reference
(type_identifier) @reference
(navigation_suffix
  suffix: (simple_identifier) @reference.member)
