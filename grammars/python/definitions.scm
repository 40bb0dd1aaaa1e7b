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
