(identifier) @reference
(constant) @reference
(call
  receiver: (_)
  method: (identifier) @reference.member)
(scope_resolution
  scope: (_)
  name: (constant) @reference.member)
