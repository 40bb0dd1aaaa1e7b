(name) @reference
(member_access_expression
  name: (name) @reference.member)
(member_call_expression
  name: (name) @reference.member)
(scoped_call_expression
  name: (name) @reference.member)
(class_constant_access_expression
  (_)
  (name) @reference.member)
