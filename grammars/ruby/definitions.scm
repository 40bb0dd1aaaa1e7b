; Classes and modules (also nested) and their methods; top-level methods; constants.
; Kinds: class, module -> @definition.class; `def` in a class or module and `def self.x` ->
; @definition.method; `def` at the top level -> @definition.function; `NAME = ...` in a class,
; module or at the top level -> @definition.constant. An empty method has no @body.
; `class Billing::InvoiceBuilder` (Rails' compact style) is named `InvoiceBuilder`, the name the
; code uses (`Billing::InvoiceBuilder.new`); the whole path was a name no use ever matched.
[
  (class name: (constant) @name body: (body_statement)? @body)
  (class name: (scope_resolution name: (_) @name) body: (body_statement)? @body)
  (module name: (constant) @name body: (body_statement)? @body)
  (module name: (scope_resolution name: (_) @name) body: (body_statement)? @body)
] @definition.class

(program
  (method
    name: (_) @name
    body: (_)? @body) @definition.function)

[
  (class body: (body_statement (method name: (_) @name body: (_)? @body) @definition.method))
  (module body: (body_statement (method name: (_) @name body: (_)? @body) @definition.method))
  (singleton_class body: (body_statement (method name: (_) @name body: (_)? @body) @definition.method))
]

; `private def helper(x)`, `protected def merge!(other)`: a method defined as a visibility's
; argument (the inline style), with its visibility.
(
  [
    (class body: (body_statement
      (call
        method: (identifier) @_visibility
        arguments: (argument_list . (method name: (_) @name body: (_)? @body) .)) @definition.method))
    (module body: (body_statement
      (call
        method: (identifier) @_visibility
        arguments: (argument_list . (method name: (_) @name body: (_)? @body) .)) @definition.method))
    (singleton_class body: (body_statement
      (call
        method: (identifier) @_visibility
        arguments: (argument_list . (method name: (_) @name body: (_)? @body) .)) @definition.method))
  ]
  (#any-of? @_visibility "private" "protected" "public" "module_function"))

(singleton_method
  name: (_) @name
  body: (_)? @body) @definition.method

[
  (program (assignment left: (constant) @name) @definition.constant)
  (body_statement (assignment left: (constant) @name) @definition.constant)
]

; `include Walker`, `extend Helpers`, `prepend(Audit)`, `include Billing::Taxes` in a class's or a
; module's body: a module whose methods it has, as a base's (`@base`, read as a name its header
; gave). Not in a method's body, where `include` is any call.
(
  [
    (class body: (body_statement
      (call
        !receiver
        method: (identifier) @_mixin
        arguments: (argument_list [(constant) @base (scope_resolution name: (constant) @base)]))))
    (module body: (body_statement
      (call
        !receiver
        method: (identifier) @_mixin
        arguments: (argument_list [(constant) @base (scope_resolution name: (constant) @base)]))))
  ]
  (#any-of? @_mixin "include" "extend" "prepend"))
