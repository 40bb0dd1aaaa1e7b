;;; e2e.el --- deepseek-lsp in Emacs' eglot, scripted  -*- lexical-binding: t -*-
;;
;; Run by run.sh (emacs --batch -l e2e.el) against the real server and the fake DeepSeek, with
;; editors/neovim/test/e2e_responder.py answering. What an eglot user does, step by step:
;; completion-at-point and company on the menu items, a save's review in flymake, the quick
;; fixes, settings from `eglot-workspace-configuration', shutdown.
;;
;; Batch Emacs runs no idle timers: eglot sends didChange from one (after
;; `eglot-send-changes-idle-time'), so each edit here sends it as that timer would.

;; run.sh gives Emacs a HOME of its own: the user's packages are where their HOME has them.
(require 'package)
(let ((dir (getenv "E2E_PACKAGE_DIR")))
  (when (> (length dir) 0)
    (setq package-user-dir dir)))
(package-initialize)
(require 'eglot)
(require 'company)
(require 'cl-lib)
(require 'json)
(require 'url)

(defvar e2e-failures 0)
(defvar e2e-dir (file-name-as-directory (getenv "E2E_PROJECT")))
(defvar e2e-fake (getenv "DEEPSEEK_BASE_URL"))

(defun e2e-out (fmt &rest args)
  (princ (concat (apply #'format fmt args) "\n") #'external-debugging-output))

(defmacro e2e-step (name &rest body)
  "Run BODY as the step NAME: a failed `cl-assert' or an error fails it, not the run."
  (declare (indent 1))
  `(condition-case err
       (progn ,@body (e2e-out "PASS eglot: %s" ,name))
     (error (setq e2e-failures (1+ e2e-failures))
            (e2e-out "FAIL eglot: %s\n     %S" ,name err))))

(defun e2e-wait (what pred &optional secs)
  (let ((deadline (+ (float-time) (or secs 10))))
    (while (and (not (funcall pred)) (< (float-time) deadline))
      (accept-process-output nil 0.05))
    (or (funcall pred) (error "timed out waiting for %s" what))))

(defun e2e-sent ()
  "Send the buffer's changes to the server, as eglot's idle timer does."
  (eglot--signal-textDocument/didChange))

(defun e2e-fake-requests (path)
  "How many requests the fake DeepSeek has had at PATH."
  (with-current-buffer (url-retrieve-synchronously (concat e2e-fake "/_fake/requests") t t 5)
    ;; A FIM request's record holds its prompt and suffix with a NUL between (escaped), which
    ;; Emacs's JSON parser refuses ("\\u0000 is not allowed"): the step failed, whatever the
    ;; server did. Read as another character; only the paths are counted.
    (goto-char url-http-end-of-headers)
    (save-excursion
      (while (search-forward "\\u0000" nil t)
        (replace-match "\\u2400" t t)))
    (let ((requests (json-parse-buffer :object-type 'plist :array-type 'list)))
      (kill-buffer)
      (cl-count path requests :key (lambda (r) (plist-get r :path)) :test #'equal))))

(defun e2e-line (&optional n)
  (save-excursion
    (when n (goto-char (point-min)) (forward-line (1- n)))
    (buffer-substring-no-properties (line-beginning-position) (line-end-position))))

(defun e2e-type (text)
  "Type TEXT at the buffer's end, the server told."
  (goto-char (point-max))
  (insert text)
  (e2e-sent))

(defun e2e-completes (complete expected)
  "Run COMPLETE, after which the text before point must be EXPECTED; the server is told."
  (funcall complete)
  (cl-assert (equal (buffer-substring-no-properties
                     (max (point-min) (- (point) (length expected))) (point))
                    expected)
             t "got %S" (buffer-substring-no-properties (line-beginning-position -1) (point)))
  (e2e-sent))

(defun e2e-pick (wanted)
  "A `completion-in-region-function' taking the candidate WANTED, as consult's, ivy's or the
*Completions* list's does when the user picks it: the candidate's text, then the exit function."
  (lambda (start end table pred)
    (let ((all (all-completions (buffer-substring-no-properties start end) table pred)))
      (cl-assert (member wanted all) t "no %S in %S" wanted all)
      (completion--replace start end wanted)
      (funcall (plist-get completion-extra-properties :exit-function) wanted 'finished)
      t)))

(defun e2e-items ()
  "The completion table's entries at point, as company and the *Completions* list show them."
  (let* ((capf (eglot-completion-at-point))
         (probe (buffer-substring-no-properties (nth 0 capf) (nth 1 capf))))
    (all-completions probe (nth 2 capf))))

(defun e2e-diagnostics ()
  (sort (flymake-diagnostics)
        (lambda (a b) (< (flymake-diagnostic-beg a) (flymake-diagnostic-beg b)))))

(defun e2e-action (title)
  "Run the code action TITLE at point as `eglot-code-actions' (M-x) does, picked in its menu."
  (cl-letf (((symbol-function 'completing-read) (lambda (&rest _) title))
            (last-nonmenu-event ?a))
    (let ((actions (eglot-code-actions (line-beginning-position) (line-end-position))))
      (cl-assert (cl-find title actions :key (lambda (a) (plist-get a :title)) :test #'equal)
                 t "no action %S in %S" title (mapcar (lambda (a) (plist-get a :title)) actions))
      (eglot--read-execute-code-action actions (eglot-current-server) nil)))
  (e2e-sent))

(setq eglot-sync-connect 30
      eglot-connect-timeout 60
      eglot-autoreconnect nil
      company-frontends nil                ; no window to draw a popup in
      make-backup-files nil)
(setq-default eglot-workspace-configuration '(:deepseek (:review (:mode "onSave"))))
;; An entry a mode: eglot 1.9 sends the first mode's languageId for every buffer of an entry
;; (a shell script went as "python").
(dolist (mode '(python-mode sh-mode))
  (add-to-list 'eglot-server-programs `(,mode . ,(split-string (getenv "DEEPSEEK_LSP_CMD")))))

(with-temp-file (expand-file-name "calc.py" e2e-dir)
  (insert "def div(a, b):\n    return a / b\n\n\ndef f(a, b):\n    tot\n"))
(find-file (expand-file-name "calc.py" e2e-dir))
(python-mode)
(setq-local python-indent-guess-indent-offset nil)

(e2e-step "the server starts and manages the buffer"
  (apply #'eglot (eglot--guess-contact))
  (e2e-wait "eglot to manage calc.py" #'eglot-managed-p 30)
  (cl-assert (eglot--server-capable :completionProvider))
  (cl-assert (eglot--server-capable :codeActionProvider)))

(e2e-step "completion-at-point inserts the suggestion over the word typed"
  (goto-char (point-min))
  (search-forward "    tot")
  (e2e-completes #'completion-at-point "\n    total = compute(a, b)"))

(e2e-step "a multi-line suggestion goes in whole, its lines indented as sent"
  (e2e-type "\n\ndef sub(a, b):\n    ")
  ;; The label is the first line, marked as going on.
  (cl-assert (equal (e2e-items) '("diff = a - b …")) t)
  (e2e-completes #'completion-at-point "\ndef sub(a, b):\n    diff = a - b\n    return diff"))

(e2e-step "a suggestion after non-ASCII text replaces the word typed, no more"
  ;; Eglot counts columns in UTF-16 units, the server's encoding for it: the emoji is two.
  (e2e-type "\n\ngrin = \"\U0001F600\".jo")
  (e2e-completes #'completion-at-point "\ngrin = \"\U0001F600\".join(parts)"))

(e2e-step "in a shell script, an option's item is offered and replaces the option typed"
  ;; Emacs' shell modes read "--colo" as one symbol, which eglot filters the items by.
  (with-current-buffer (find-file-noselect (expand-file-name "run.sh" e2e-dir))
    (sh-mode)
    (insert "#!/bin/sh\nls --colo")
    (apply #'eglot (eglot--guess-contact))
    (e2e-wait "eglot to manage run.sh" #'eglot-managed-p 10)
    (e2e-completes #'completion-at-point "\nls --color=auto")
    (eglot-shutdown (eglot-current-server))))

(e2e-step "asked with no key just typed, each choice is a candidate of its own"
  ;; Three bodies of one first line: one candidate before, the other two never offered.
  (e2e-type "\n\ndef pick(x):\n    ")
  (sleep-for 1.1)                       ; a request this soon after a key is typing
  (let ((completion-in-region-function (e2e-pick "if x < 0: … return -x")))
    (e2e-completes #'completion-at-point
                   "\ndef pick(x):\n    if x < 0:\n        return -x\n    return x")))

(e2e-step "company's completion of a multi-line suggestion"
  (e2e-type "\n\ndef clamp(x):\n    ")
  (company-mode 1)
  (company-manual-begin)
  (cl-assert company-candidates t)
  (e2e-completes #'company-complete-selection
                 "\ndef clamp(x):\n    if x < 0:\n        return 0\n    return x")
  (company-mode -1))

(e2e-step "asking at each key while typing a line sends few requests to the model"
  ;; As company does with its popup up: a new completion-at-point at each key.
  (e2e-type "\n\ndef g(a, b):\n    ")
  (let ((before (e2e-fake-requests "/beta/completions"))
        (keys 0))
    (dolist (c (string-to-list "print(len("))
      (insert c)
      (setq keys (1+ keys))
      (e2e-sent)
      (e2e-items))
    (let ((sent (- (e2e-fake-requests "/beta/completions") before)))
      (e2e-out "     %d keys, %d requests to the model" keys sent)
      (cl-assert (<= sent 4) t))))

(e2e-step "typing fast, each key's request left unanswered, sends few requests to the model"
  ;; Eglot's requests are :cancel-on-input: a key typed while one runs leaves it without a
  ;; $/cancelRequest (jsonrpc 1.0.14), so the server sees a request a key, none cancelled.
  (e2e-type "\n\ndef h(a, b):\n    ")
  (let ((before (e2e-fake-requests "/beta/completions"))
        (answered 0)
        (keys 0))
    (dolist (c (string-to-list "total = comp"))
      (insert c)
      (setq keys (1+ keys))
      (e2e-sent)
      (jsonrpc-async-request (eglot-current-server) :textDocument/completion
                             (eglot--CompletionParams)
                             :success-fn (lambda (_) (setq answered (1+ answered))))
      (accept-process-output nil 0.06))
    (e2e-wait "every request answered" (lambda () (= answered keys)) 10)
    (let ((sent (- (e2e-fake-requests "/beta/completions") before)))
      (e2e-out "     %d keys 60 ms apart, %d requests to the model" keys sent)
      (cl-assert (<= sent 4) t))))

(e2e-step "a save's review shows in flymake on the code, its message readable"
  (save-buffer)
  (e2e-wait "the review's diagnostic" (lambda () (e2e-diagnostics)) 20)
  (let ((d (car (e2e-diagnostics))))
    (cl-assert (= 1 (length (e2e-diagnostics))) t)
    (cl-assert (equal (buffer-substring-no-properties
                       (flymake-diagnostic-beg d) (flymake-diagnostic-end d))
                      "return a / b")
               t)
    (cl-assert (eq (flymake-diagnostic-type d) 'eglot-warning) t)
    (cl-assert (equal (flymake-diagnostic-text d)
                      (concat "deepseek-review: Division by zero when b is 0.\n"
                              "Suggested fix: return a / b if b else 0.0"))
               t)))

(e2e-step "the quick fix applies the fix and the finding goes"
  (goto-char (point-min))
  (search-forward "return a / b")
  (e2e-action "Apply DeepSeek fix")
  (cl-assert (equal (e2e-line 2) "    return a / b if b else 0.0") t)
  (e2e-wait "the finding to go" (lambda () (null (e2e-diagnostics))) 5))

(e2e-step "Ignore hides a finding, also from the next save's review"
  (goto-char (point-min))
  (forward-line 1)
  (delete-region (line-beginning-position) (line-end-position))
  (insert "    return a / b")
  (e2e-sent)
  (save-buffer)
  (e2e-wait "the finding back" (lambda () (e2e-diagnostics)) 20)
  (goto-char (flymake-diagnostic-beg (car (e2e-diagnostics))))
  (e2e-action "Ignore this DeepSeek finding")
  (e2e-wait "the finding to go" (lambda () (null (e2e-diagnostics))) 5)
  (e2e-type "\n")
  (save-buffer)
  (sleep-for 1.5)
  (cl-assert (null (e2e-diagnostics)) t))

(e2e-step "settings from eglot-workspace-configuration apply when changed"
  (setq-default eglot-workspace-configuration
                '(:deepseek (:review (:mode "onSave") :completion (:enable :json-false))))
  (eglot-signal-didChangeConfiguration (eglot-current-server))
  ;; A header the fake answers a body after (as above), asked on a new line below it.
  (e2e-type "\ndef sub(a, b):\n    ")
  (e2e-wait "completions to stop" (lambda () (null (e2e-items))) 5)
  (setq-default eglot-workspace-configuration '(:deepseek (:review (:mode "onSave"))))
  (eglot-signal-didChangeConfiguration (eglot-current-server))
  (e2e-wait "completions again" (lambda () (e2e-items)) 5))

(e2e-step "the accepts so far are counted or not, as eglot runs an item's command or not"
  ;; Eglot 1.9 runs no CompletionItem.command (later eglots do): told, not asserted.
  (let ((stats (jsonrpc-request (eglot-current-server) :deepseek/completionStats nil)))
    (e2e-out "     completionStats: accepted %S of %S requests"
             (plist-get stats :accepted) (plist-get stats :requests))))

(e2e-step "eglot warned of nothing the server sent"
  (with-current-buffer "*Messages*"
    (goto-char (point-min))
    (cl-assert (not (re-search-forward "\\[eglot\\] \\(Server\\|.*unknown\\|.*error\\)" nil t))
               t "%s" (buffer-string))))

(e2e-step "shutdown answers before eglot's 1.5 s timeout"
  (let* ((server (eglot-current-server))
         (process (jsonrpc--process server))
         (started (float-time)))
    (eglot-shutdown server)
    (let ((took (- (float-time) started)))
      (e2e-out "     shutdown took %.2f s" took)
      (cl-assert (< took 1.4) t))
    (cl-assert (not (process-live-p process)))))

(with-current-buffer "*Messages*"
  (write-region (point-min) (point-max)
                (expand-file-name "messages.log" (getenv "E2E_WORK")) nil 'quiet))
(e2e-out "%s" (if (zerop e2e-failures) "all steps passed"
                (format "%d step(s) failed" e2e-failures)))
(kill-emacs (if (zerop e2e-failures) 0 1))
