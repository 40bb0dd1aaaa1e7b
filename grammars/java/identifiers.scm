(identifier) @reference
(type_identifier) @reference
(field_access
  field: (identifier) @reference.member)
(method_invocation
  object: (_)
  name: (identifier) @reference.member)
(scoped_type_identifier
  (type_identifier) @reference.member .)
; `super(4)` and `this(4)` in a constructor call its class's base's constructor and another of
; its own, each named as its class, a name these calls do not write: the words "super()" and
; "this()" stand for them (see review/units.py).
((explicit_constructor_invocation
  constructor: (super) @reference.alias)
  (#set! reference "super()"))
((explicit_constructor_invocation
  constructor: (this) @reference.alias)
  (#set! reference "this()"))
