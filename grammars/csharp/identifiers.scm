(identifier) @reference
(member_access_expression
  name: (identifier) @reference.member)
(qualified_name
  name: (identifier) @reference.member)
; `: base(4)` and `: this(4)` after a constructor's parameters call its class's base's
; constructor and another of its own, each named as its class, a name these calls do not write:
; the words "super()" and "this()" stand for them (see review/units.py).
((constructor_initializer
  "base") @reference.alias
  (#set! reference "super()"))
((constructor_initializer
  "this") @reference.alias
  (#set! reference "this()"))
