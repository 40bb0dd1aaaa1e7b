(identifier) @reference
(attribute attribute: (identifier) @reference.member)
