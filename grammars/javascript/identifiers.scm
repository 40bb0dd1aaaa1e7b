(identifier) @reference
(shorthand_property_identifier) @reference
(member_expression
  property: [(property_identifier) (private_property_identifier)] @reference.member)
; `super(...)` in a subclass's constructor calls its base's `constructor`, a name never written.
((call_expression
  function: (super) @reference.alias)
  (#set! reference "constructor"))
