(identifier) @reference
(member_access_expression
  name: (identifier) @reference.member)
(qualified_name
  name: (identifier) @reference.member)
