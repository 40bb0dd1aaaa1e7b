(class_definition
  name: (identifier) @name
  body: (block) @body) @definition.class

(class_definition
  body: (block
    (function_definition
      name: (identifier) @name
      body: (block) @body) @definition.method))

(class_definition
  body: (block
    (decorated_definition
      definition: (function_definition
        name: (identifier) @name
        body: (block) @body) @definition.method)))

(module
  (function_definition
    name: (identifier) @name
    body: (block) @body) @definition.function)

(module
  (decorated_definition
    definition: (function_definition
      name: (identifier) @name
      body: (block) @body) @definition.function))

(module
  (expression_statement
    (assignment
      left: (identifier) @name)) @definition.variable)

; Class attributes: `timeout: float = 5.0`, `DEFAULT = 3`, `x: int` (a dataclass or attrs
; field, an enum member). A variable, as other languages' fields: no review unit of its own, and
; its snippet is its line, not the class.
(class_definition
  body: (block
    (expression_statement
      (assignment
        left: (identifier) @name)) @definition.variable))

; Module-level definitions under an `if` or a `try` (`if hasattr(socket, "TCP_NODELAY"): def
; _set_nodelay(...)`, `try: from x import y` / `except ImportError: def y(...)`), one level deep:
; in the `if`'s block (not `if __name__ == "__main__":`, whose variables are a script's locals),
; the `try`'s, and a clause's (`elif`, `else`, `except`, `finally`; `(_ !name ...)` is a
; statement that is no function or class). Classes are captured wherever they are.
((module
  (if_statement
    condition: (_) @_condition
    consequence: (block
      [
        (function_definition
          name: (identifier) @name
          body: (block) @body) @definition.function
        (decorated_definition
          definition: (function_definition
            name: (identifier) @name
            body: (block) @body) @definition.function)
        (expression_statement
          (assignment
            left: (identifier) @name)) @definition.variable
      ])))
  (#not-match? @_condition "__name__"))

(module
  (try_statement
    body: (block
      [
        (function_definition
          name: (identifier) @name
          body: (block) @body) @definition.function
        (decorated_definition
          definition: (function_definition
            name: (identifier) @name
            body: (block) @body) @definition.function)
        (expression_statement
          (assignment
            left: (identifier) @name)) @definition.variable
      ])))

(module
  (_ !name
    (_ !name
      (block
        [
          (function_definition
            name: (identifier) @name
            body: (block) @body) @definition.function
          (decorated_definition
            definition: (function_definition
              name: (identifier) @name
              body: (block) @body) @definition.function)
          (expression_statement
            (assignment
              left: (identifier) @name)) @definition.variable
        ]))))

; The types a function's parameters are declared with (`s: Shape`, `s: "Shape"`, `log: Logger |
; None`, `log: Optional[Logger]`, `s: shapes.Shape`): a class it means by a method name several
; classes define (`s.area()`). A match of its own for each parameter, apart from the definition's.
(parameters
  ; `typed_parameter` and `typed_default_parameter`, the parameters with a type.
  (_
    type: (type
      [
        (identifier) @parameter.type
        (string (string_content) @parameter.type)
        (attribute attribute: (identifier) @parameter.type)
        (binary_operator [left: (identifier) @parameter.type right: (identifier) @parameter.type])
        (generic_type
          (identifier) @_optional
          (type_parameter . (type (identifier) @parameter.type) .))
      ]))
  (#any-of? @_optional "Optional")
  (#match? @parameter.type "^[A-Za-z_][A-Za-z0-9_]*$"))

; The types a class's attributes are declared with (`log: Logger` in its body, a dataclass's
; field; `self.log: Logger = log` in a method; `Optional[Logger]`, `Logger | None`, "Logger"): a
; class whose methods its own methods mean by a name several classes define (`self.log.area()`).
; A pattern of its own, read for the class holding it (an annotated local in a method too).
((assignment
  left: [(identifier) (attribute object: (identifier) @_self)]
  type: (type
    [
      (identifier) @field.type
      (string (string_content) @field.type)
      (attribute attribute: (identifier) @field.type)
      (binary_operator [left: (identifier) @field.type right: (identifier) @field.type])
      (generic_type
        (identifier) @_optional
        (type_parameter . (type (identifier) @field.type) .))
    ]))
  (#eq? @_self "self")
  (#any-of? @_optional "Optional")
  (#match? @field.type "^[A-Za-z_][A-Za-z0-9_]*$"))
