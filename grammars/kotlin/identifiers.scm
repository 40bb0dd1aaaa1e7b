; `true`, `false` and `null` are identifiers in this grammar: literals, not names to look up.
((identifier) @reference
  (#not-match? @reference "^(true|false|null)$"))

; `a.b`, `a?.b`, `A::b`: the name after the operator.
(navigation_expression
  (_)
  (identifier) @reference.member .)

; A nested type: `Map.Entry`.
(user_type
  (identifier)
  (identifier) @reference.member)
