; `using System.Text;` and `using static System.Math;` bind no name of their own (like Go's
; imports without an alias): only the namespace is captured. `using Json = System.Text.Json;`
; binds `Json`.
(using_directive
  !name
  [(identifier) (qualified_name)] @import.source) @import

(using_directive
  name: (identifier) @import.name
  [(identifier) (qualified_name) (generic_name)] @import.source .) @import
