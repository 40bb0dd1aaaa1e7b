"""Patterns for passwords and keys on command lines, in argument lists, and in network
devices' configurations."""

from __future__ import annotations

import re

from .assignments import _named_literal
from .values import (
    _ASSIGNED_NAME,
    _CLI_ARGUMENT,
    _ORACLE_PASSWORD,
    _ORACLE_USER,
    _SUDO_OPTIONS,
    REDACTED,
    Replacement,
    _argument_group,
    _batch_password,
    _cli_argument,
    _cli_password_in_list,
    _cli_user_password,
    _command,
    _device_secret,
    _htpasswd,
    _mysql_password,
    _pgpass_line,
    _piped_password,
    _prose_safe_argument,
    _rman_logons,
    _secret_flag,
    _snmp_arguments,
    _snmp_community,
    _sqlplus_connect,
    _ssh_keygen_passphrases,
    _user_password_in_list,
    _vault_token,
)

#: printf's format for one password or the same one twice (``'%s\n%s\n'``: a new password and
#: its confirmation, which ``smbpasswd -s`` and ``passwd`` read).
_TWICE = r"""(?:'%s(?:\\n)?(?:%s(?:\\n)?)?'|"%s(?:\\n)?(?:%s(?:\\n)?)?")"""
#: gcloud's secret read from its input (``gcloud secrets create NAME --data-file=-``, ``versions
#: add``: Google's own example pipes the value in).
_SECRET_FROM_INPUT = r"""\bsecrets[ \t]+(?:create|versions[ \t]+add)\b[^|\r\n]*?[ \t]--data-file(?:=|[ \t]+)-(?![\w./-])"""
#: A password's ``echo`` (``-e``: ``'X\nX'`` is the two) or ``printf`` into a command (see the
#: patterns), and the commands that read it from their input, the rest of the line after the pipe.
_ECHOED = r"""(?:\becho[ \t]+(?:-[neE]{1,3}[ \t]+){0,2}|\bprintf[ \t]+(?:""" + _TWICE + r"""[ \t]+)?)"""
_PIPED_INTO = (
    r"""[^|\r\n]*?(?:[ \t]--password-stdin\b|\bpasswd[ \t]+--stdin\b|\bvncpasswd\b"""
    r"""|\bsmbpasswd\b[^|\r\n]*?[ \t]-s\b|""" + _SECRET_FROM_INPUT + ")"
)


def _curlrc_user(match: re.Match[str]) -> str:
    """A ``.curlrc`` line's ``user = name:password`` (see ``_cli_user_password``); not a user
    and group's ids (``--user 1000:1000``, a container's), a name given twice (``guest:guest``)
    nor an address (p-map's ``user: 'https://example.com/api/user'``), nor code (Ruby's ``user =
    User.authenticate(params[:email], ...)``, whose ``email],`` went out as ``[REDACTED]``)."""
    user, _, password = match.group(_argument_group(match)).partition(":")
    if password == user or (user.isdigit() and password.isdigit()) or password.startswith("//"):
        return match.group(0)
    if any(ch in user for ch in "([{"):
        return match.group(0)
    return _cli_user_password(":")(match)


#: An argument list's flag whose value is a secret (``--password``, ``--api-token``,
#: ``--client-secret``; not ``--no-password``).
_SECRET_FLAG = r"--(?!no-)(?:[a-z0-9]+-)*?(?:password|passwd|pass|passphrase|token|api-?key|(?:client|app|api)-secret)"

_COMMAND_PATTERNS: tuple[tuple[re.Pattern[str], Replacement], ...] = (
    # A password on a command line (a shell script, a Makefile, a CI step, a Dockerfile's RUN):
    # ``curl -u user:password``, ``mysql -pSECRET``, ``sshpass -p secret``, ``docker login -p
    # secret``, ``--password secret``. The flag stays; a variable (``-p"$DB_PASSWORD"``, a CI's
    # ``${{ secrets.X }}``, ``%PASS%``), a placeholder (``<password>``, ``PASSWORD``) is code.
    # The command's name first, as a literal: re finds it fast (see _SENDGRID).
    (
        re.compile(r"(" + _command(r"curl(?<=\bcurl)\b", continued=True) + r"(?<!\S)(?:-u|--user)(?:[ \t]+|=)?)" + _CLI_ARGUMENT),
        _cli_user_password(":"),
    ),
    # curl's config file (``.curlrc``, ``curl -K file``): an option a line, its dashes left out
    # (``user = "name:password"``, ``--proxy-user name:password``) or not (``-u name:password``;
    # the line of a command continued after a ``\\`` whose ``curl`` is out of sight).
    (re.compile(r"(?m)^([ \t]*(?:-[uU]|(?:--)?(?:proxy-)?user)(?:[ \t]*[=:][ \t]*|[ \t]+))" + _CLI_ARGUMENT), _curlrc_user),
    # rclone's ``config create|update|password NAME … pass X`` (its options as words, plain or
    # obscured: both log in) and ``rclone obscure X``.
    (
        re.compile(
            r"(" + _command(r"rclone[ \t]+config[ \t]+(?:create|update|password)\b")
            + r"(?<!\S)(?:\w*pass(?:word2?)?|client_secret|token)[ \t]+)" + _CLI_ARGUMENT
        ),
        _cli_argument,
    ),
    # Most often inside ``$(…)``: its ``)`` is the shell's.
    (
        re.compile(
            r"""(rclone[ \t]+obscure[ \t]+)(?:'(?P<single>[^'\r\n]+)'|"(?P<double>[^"\r\n]+)"|"""
            r"""(?P<bare>(?![-$])[^\s"'`;|&<>()]+))"""
        ),
        _cli_argument,
    ),
    # ngrok's agent: ``ngrok authtoken X`` (version 2's), and its libraries' calls
    # (pyngrok's ``ngrok.set_auth_token("X")``, Node's ``ngrok.authtoken("X")``).
    (re.compile(r"(ngrok(?<![\w-]ngrok)(?:\.exe)?[ \t]+authtoken[ \t]+)" + _CLI_ARGUMENT), _cli_argument),
    (re.compile(r"""(ngrok\.(?:set_auth_token|authtoken)\([ \t]*)(["'])([^"'\r\n]+)(?=\2)"""), _named_literal),
    # An ODBC connection string's password in braces with a ``;`` in it (``PWD={a;b};``): the
    # assignment's value ends at a ``;``, and the password went out (``}}`` is a ``}`` inside;
    # one without a ``;`` is the assignment's, see _assigned). A ``{`` inside is the password's
    # (``PWD={a{b;c};``, which went out), but not past ``={``: from each ``PWD={`` of a line of
    # them the scan went on to the line's end.
    (
        re.compile(
            r"((?<![\w-])(?i:pwd|password)[ \t]*=[ \t]*\{)(?:[^{};\r\n]|\}\}|(?<!=)\{){0,128};"
            r"(?:[^{}\r\n]|\}\}|(?<!=)\{){0,128}?(?=\}(?!\}))"
        ),
        r"\1" + REDACTED,
    ),
    # ``"-pS3cret"`` in an argument list too (``subprocess.run(["mysql", "-p..."])``); not ``"-p", x``.
    (
        re.compile(
            _command(r"mysql(?<=\bmysql)(?:dump|admin)?\b")
            + r"(?:(?<!\S)-p" + _CLI_ARGUMENT + r"|(?<=[\"'])-p(?P<listed>[^\s\"'`;|&<>]+))"
        ),
        _mysql_password,
    ),
    (re.compile(r"(" + _command(r"redis-cli\b") + r"(?<!\S)-a(?:[ \t]+|=)?)" + _CLI_ARGUMENT), _cli_argument),
    (re.compile(r"(" + _command(r"mongo(?<=\bmongo)(?:sh|dump|restore|import|export)?\b") + r"(?<!\S)-p[ \t]+)" + _CLI_ARGUMENT), _cli_argument),
    # ``-W`` asks for it; ``-w`` is the bind password.
    (
        re.compile(
            r"(" + _command(r"ldap(?<=\bldap)(?:search|modify|add|delete|whoami|passwd|compare|modrdn|exop)\b") + r"(?<!\S)-w[ \t]*)"
            + _CLI_ARGUMENT
        ),
        _cli_argument,
    ),
    # ``openssl enc -k secret`` (a passphrase), ``-K hex`` (the key itself).
    (re.compile(r"(" + _command(r"openssl(?<=\bopenssl)\b") + r"(?<!\S)-[kK][ \t]+)" + _CLI_ARGUMENT), _cli_argument),
    # To the end of the command: a backtick closes one quoted in prose or markdown.
    (re.compile(r"(htpasswd(?<=\bhtpasswd)\b)([^\r\n;|&`]*)"), _htpasswd),
    # Mosquitto's ``mosquitto_passwd -b file user password`` (``-H`` a hash, ``-I`` its iterations).
    (re.compile(r"(mosquitto_passwd(?<=\bmosquitto_passwd)\b)([^\r\n;|&`]*)"), _batch_password("HI")),
    (
        re.compile(r"(" + _command(r"smbclient(?<=\bsmbclient)\b") + r"(?<!\S)(?:-U|--user)(?:[ \t]+|=))" + _CLI_ARGUMENT),
        _cli_user_password("%"),
    ),
    # Windows' ``net use \\host\share /user:name secret`` (``*`` asks for it, ``/x`` is a switch).
    (re.compile(r"(?i)(" + _command(r"net[ \t]+use\b") + r"[ \t]/user:\S+[ \t]+)(?![*/])" + _CLI_ARGUMENT), _cli_argument),
    # An argument list's flag and value, each quoted (``["--password", "S3cret"]``, a JS
    # ``spawn("x", ["--token", "..."])``, curl's ``["-u", "user:pass"]``). Not a variable
    # after the flag, nor docker's ``"-u", "1000:1000"`` or ``"www-data:www-data"``.
    (
        re.compile(r"""(?i)((["'])""" + _SECRET_FLAG + r"""\2[ \t]*,\s*(["']))(?![$%{<-])([^"'\s]+)(?=\3)"""),
        _cli_password_in_list,
    ),
    # The same list in YAML, an item a line (a kubeconfig's ``exec`` plugin's ``args:``, a
    # container's, a CI job's): ``- --token`` then ``- …`` went out.
    (
        re.compile(
            r"""(?im)(^[ \t]*-[ \t]+(["']?)""" + _SECRET_FLAG + r"""\2[ \t]*\r?\n[ \t]*-[ \t]+(["']?))"""
            r"""(?![$%{<-])([^"'\s]+)(?=\3[ \t]*$)"""
        ),
        _cli_password_in_list,
    ),
    # A user and password after their flag (curl's ``["-u", "user:pass"]``, ``--user``,
    # HTTPie's ``--auth``), or in its item (``"--auth=user:pass"``: HTTPie's config.json's
    # ``default_options``; the third group, empty, stands for the value's quote).
    (
        re.compile(r"""((["'])(?:-u|--user|--auth)\2[ \t]*,\s*(["'])([^\s:"'`]*):)(?![$%{<])([^\s"'`]+)(?=\3)"""),
        _user_password_in_list,
    ),
    (
        re.compile(r"""((["'])--(?:user|auth)=()([^\s:"'`]*):)(?![$%{<])([^\s"'`]+)(?=\2)"""),
        _user_password_in_list,
    ),
    (re.compile(r"(" + _command(r"sshpass(?<=\bsshpass)\b") + r"(?<!\S)-p(?:[ \t]+|=)?)" + _CLI_ARGUMENT), _cli_argument),
    (
        re.compile(
            "( "
            + _command(r"login\b(?:(?<=docker login)|(?<=podman login)|(?<=nerdctl login)|(?<=registry login)|(?<=\boc login))")
            + r"(?<!\S)-p(?:[ \t]+|=)?)" + _CLI_ARGUMENT
        ),
        _cli_argument,
    ),
    # Info-ZIP's ``zip -P secret`` and ``unzip -P secret`` (not ``gzip``, nor an ``out.zip``
    # before the flag); 7-Zip's ``7z a -psecret``, attached (``-p`` alone asks for it).
    (
        re.compile(
            _command(r"zip\b(?:(?<![\w./-]zip)|(?<=unzip)(?<![\w./-]unzip))") + r"(?<!\S)-P[ \t]+" + _CLI_ARGUMENT
        ),
        _cli_argument,
    ),
    (re.compile(_command(r"7z(?<![\w./-]7z)[ar]?\b") + r"(?<!\S)-p" + _CLI_ARGUMENT), _cli_argument),
    # Oracle's ``sqlplus user/secret@db`` (``sqlldr``, ``expdp``, ``impdp``: the same logon), options before
    # it; ``sqlplus / as sysdba`` and ``sqlplus user@db`` give none.
    (
        re.compile(
            r"(?<![\w-])(?:sqlplus|sqlldr|expdp|impdp)(?:\.exe)?(?:[ \t]+-\w+)*[ \t]+\\?[\"']?[^\s/\"'@\\]+/"
            r"(?P<bare>(?![-<{(\[\\])[^\s@\"'`;|&<>/\\]+)"
        ),
        _cli_argument,
    ),
    # The older ``exp`` and ``imp`` take it too; short words, so only a logon followed by its
    # database or by an Oracle parameter (``imp scott/... file=x.dmp``), not ``exp x/2``.
    (
        re.compile(r"(?:exp|imp)(?<![\w./-]exp)(?<![\w./-]imp)(?:\.exe)?[ \t]+" + _ORACLE_USER + _ORACLE_PASSWORD + r"(?=@|[ \t]+\w+=)"),
        _cli_argument,
    ),
    # Any Oracle tool's ``userid=user/secret`` parameter (``sqlldr``, ``exp``, ``expdp``, a
    # parameter file's ``USERID=system/...@orcl``), anywhere on its line.
    (
        re.compile(r"(?i:userid)=(?<![\w.-].{7})" + _ORACLE_USER + _ORACLE_PASSWORD),
        _cli_argument,
    ),
    # SQL*Plus's and RMAN's ``CONNECT user/secret@db`` (``CONN``; ``CONNECT TARGET sys/...``)
    # in a script, first on its line (after a ``SQL>`` prompt) or a string's: the logon is all
    # the command takes, so it ends the line or is followed by its database or ``AS SYSDBA``
    # ("Connect client/server apps" is prose). ``connect / as sysdba`` gives none.
    (
        re.compile(
            r"(?m)(?:CONN|Conn|conn)(?<![\w.$-].{4})(?:ECT|ect)?(?:[ \t]+(?i:target|catalog|auxiliary))?[ \t]+"
            + _ORACLE_USER
            + _ORACLE_PASSWORD
            + r"""(?=@|[ \t]+(?i:as)[ \t]|[ \t]*(?:;|\\n|["'`]|\r?$))"""
        ),
        _sqlplus_connect,
    ),
    # RMAN's command line, each of its logons.
    (re.compile(r"rman(?<![\w-]rman)(?:\.exe)?\b[^\r\n;|&]*"), _rman_logons),
    # A JDBC URL's Oracle logon (``jdbc:oracle:thin:scott/secret@//host:1521/svc``).
    (re.compile(r"jdbc:oracle:(?:thin|oci8?):" + _ORACLE_USER + _ORACLE_PASSWORD + r"(?=@)"), _cli_argument),
    # RabbitMQ's ``rabbitmqctl add_user name secret`` (``change_password``).
    (
        re.compile(
            _command(r"rabbitmqctl(?<=\brabbitmqctl)\b")
            + r"""(?<!\S)(?:add_user|change_password)[ \t]+(?:"[^"\r\n]*"|'[^'\r\n]*'|[^\s"']+)[ \t]+"""
            + _CLI_ARGUMENT
        ),
        _cli_argument,
    ),
    # ``--password X``, and any tool's with words before it: wget's ``--ftp-password X``
    # (``--http-password``, ``--proxy-password``), ``--admin-password``, ``--db-password``; not
    # one that asks (``--ask-password URL``). The space form: the ``=`` form is an assignment's.
    (re.compile(r"(--(?<![\w-]--)(?!(?:no|ask|prompt)-)(?:[a-z0-9]+-)*pass(?:word|wd|phrase)?[ \t]+)" + _CLI_ARGUMENT), _cli_argument),
    # A key's, a token's or a client secret's flag, the space form (``--api-key X``, ``az storage
    # --account-key X``, ``aws secretsmanager --secret-string X``, ``--auth-token X``): see
    # _secret_flag. Not ``--secret`` alone: Docker's and Podman's name a secret (``--secret id=x``).
    (
        re.compile(
            r"(--(?<![\w-]--)(?!(?:no|ask|prompt)-)(?:[a-z0-9]+-)*(?:api-?key|(?:client|app|api|consumer)-secret"
            r"|(?:account|access|secret|master)-key|secret-string|token|authtoken)[ \t]+)" + _CLI_ARGUMENT
        ),
        _secret_flag,
    ),
    # Tools whose ``-p`` is the password: PsExec, cqlsh, rabbitmqadmin, twine, conan, ``dotnet nuget``
    # (``oc login -p`` is with ``docker login`` below).
    (
        re.compile(
            r"(?<![\w./-])(?:(?:psexec(?:64)?|paexec|cqlsh|rabbitmqadmin|twine|conan)(?:\.exe)?|dotnet[ \t]+nuget)\b"
            r"(?:(?!psexec|paexec|cqlsh|rabbitmqadmin|twine|conan|dotnet)[^\r\n])*?(?<!\S)-p[ \t]+" + _CLI_ARGUMENT
        ),
        _cli_argument,
    ),
    # Windows' ``schtasks ... /ru user /rp X`` (``/u user /p X``; ``*`` asks for it), ``winrs -p:X``.
    (
        re.compile(r"(?i:schtasks)(?:(?!(?i:schtasks))[^\r\n])*?[ \t]/[rR]?[pP][ \t]+(?!\*)" + _CLI_ARGUMENT),
        _cli_argument,
    ),
    (re.compile(r"(?i:winrs)(?:(?!(?i:winrs))[^\r\n])*?(?<!\S)[-/](?i:p|password):" + _CLI_ARGUMENT), _cli_argument),
    # RAR's ``-pX`` and ``-hpX`` (headers too), attached (``-p`` alone asks, ``-p-`` is none).
    (re.compile(_command(r"(?<![\w./-])(?:un)?rar\b") + r"(?<!\S)-h?p" + _CLI_ARGUMENT), _cli_argument),
    # A tool's setting of a secret, its key then its value (``npm config set //host/:_authToken
    # X``, ``yarn config set npmAuthToken X``, ``git config --global github.token X``, ``pulumi
    # config set --secret dbPassword X``, ``dotnet user-secrets set "Db:Password" "X"`` (``"Jwt:Key"``), ``netlify
    # env:set API_KEY X``, ``poetry config pypi-token.pypi X``): see _prose_safe_argument. The
    # key's word found by a lookahead: to the key's end, each ``token`` in a run of them was tried
    # again.
    (
        re.compile(
            r"""((?<![\w-])(?:config(?:[ \t]+set)?|user-secrets[ \t]+set|env:set)(?:[ \t]+-{1,2}[\w-]+)*[ \t]+(["']?)"""
            r"""(?=[\w.:/@-]*?(?i:_auth(?![a-z])|password|passwd|token|secret|api[_-]?key|access[_-]?key|signing[_-]?key|jwt[:_-]*key))[\w.:/@-]+\2[ \t]+)"""
            + _CLI_ARGUMENT
        ),
        _prose_safe_argument,
    ),
    # Composer's and Poetry's ``config http-basic.repo user X``, Composer's ``github-oauth.host X``
    # (``gitlab-oauth``, ``bitbucket-oauth``).
    (
        re.compile(
            r"""(config(?<![\w-]config)(?:[ \t]+-{1,2}[\w-]+)*[ \t]+(?:http-basic\.\S+[ \t]+\S+|[\w-]*-oauth\.\S+)[ \t]+)"""
            + _CLI_ARGUMENT
        ),
        _cli_argument,
    ),
    # MinIO's client: ``mc alias set NAME URL ACCESS_KEY SECRET_KEY`` (``mc config host add``).
    (
        re.compile(r"""(\bmc[ \t]+(?:alias[ \t]+set|config[ \t]+host[ \t]+add)[ \t]+\S+[ \t]+\S+[ \t]+\S+[ \t]+)""" + _CLI_ARGUMENT),
        _cli_argument,
    ),
    # HTTPie's ``http -a user:secret`` (``https``, ``xh``; ``--auth``), as curl's ``-u``.
    (
        re.compile(
            r"(" + _command(r"(?:https?|xh)(?<![\w./:-]http)(?<![\w./:-]https)(?<![\w./:-]xh)(?=[ \t])")
            + r"(?<!\S)(?:-a|--auth)(?:[ \t]+|=))" + _CLI_ARGUMENT
        ),
        _cli_user_password(":"),
    ),
    # An ``expect`` script's answer to a password prompt (``expect "*assword:"`` then ``send
    # "...\r"``, on its line or the next).
    (
        re.compile(
            r"""(expect(?<![\w-]expect)[ \t]+(?:-[\w-]+[ \t]+)*(?:"[^"\r\n]*(?:assword|assphrase)[^"\r\n]*"|'[^'\r\n]*(?:assword|assphrase)[^'\r\n]*'|\S*(?:assword|assphrase)\S*)"""
            r"""(?:[ \t]*\{)?[ \t]*(?:\r?\n[ \t]*)?send[ \t]+(?:--[ \t]+)?")(?![$\[])([^"\\\r\n]+)(?=\\r"|\\n"|")"""
        ),
        r"\1" + REDACTED,
    ),
    # Redis's ``AUTH [user] secret``, in ``redis-cli`` or after its prompt (``127.0.0.1:6379> AUTH``).
    (
        re.compile(
            r"""((?:redis-cli\b(?:(?!redis-cli)[^\r\n])*?[ \t]|\d>[ \t]*)(?:AUTH|auth)[ \t]+(?:[^\s"'<>$%]+[ \t]+(?=[^\s-]))?)"""
            + _CLI_ARGUMENT
        ),
        _cli_argument,
    ),
    # The Vault CLI's ``vault login TOKEN`` (old tokens are ``s.`` and 24 characters); not
    # ``-method=userpass`` and its pairs (assignments).
    (
        re.compile(r"""(vault(?<![\w-]vault)[ \t]+login(?:[ \t]+-[\w-]+(?:=\S*)?)*[ \t]+)(?![\w.-]+=)""" + _CLI_ARGUMENT),
        _vault_token,
    ),
    # keepalived's ``auth_pass secret`` (VRRP's password), first on its line.
    (re.compile(r"(?m)^([ \t]*auth_pass[ \t]+)" + _CLI_ARGUMENT), _cli_argument),
    # GitHub CLI's ``gh secret set NAME --body X`` (``-b X``, ``-bX``; without it, it asks).
    (re.compile(r"(" + _command(r"gh[ \t]+secret[ \t]+set\b") + r"(?<!\S)(?:--body(?:[ \t]+|=)|-b[ \t]*))" + _CLI_ARGUMENT), _cli_argument),
    # Tools whose password flag is their own: Mosquitto's ``-P``, ipmitool's ``-P``, PuTTY's
    # ``pscp``/``plink``/``psftp -pw``, ``x11vnc -passwd``, ``mysqladmin ... password X`` (the new
    # password, a positional command), ``lftp -u user,pass``.
    (re.compile(r"(" + _command(r"mosquitto_(?:pub|sub|rr)\b") + r"(?<!\S)-P[ \t]+)" + _CLI_ARGUMENT), _cli_argument),
    (re.compile(r"(" + _command(r"ipmitool(?<=\bipmitool)\b") + r"(?<!\S)-P[ \t]+)" + _CLI_ARGUMENT), _cli_argument),
    (
        re.compile(r"(" + _command(r"(?:pscp|plink|psftp)(?<![\w-]pscp)(?<![\w-]plink)(?<![\w-]psftp)(?:\.exe)?\b") + r"(?<!\S)-pw[ \t]+)" + _CLI_ARGUMENT),
        _cli_argument,
    ),
    # ``-storepasswd pass file`` too (with one word, the file, it asks for the password).
    (
        re.compile(
            r"(" + _command(r"x11vnc(?<=\bx11vnc)\b")
            + r"(?<!\S)-(?:passwd|storepasswd(?=[ \t]+\S+[ \t]+[^\s-]))[ \t]+)" + _CLI_ARGUMENT
        ),
        _cli_argument,
    ),
    (re.compile(r"(" + _command(r"mysqladmin(?<=\bmysqladmin)\b") + r"(?<!\S)password[ \t]+)" + _CLI_ARGUMENT), _cli_argument),
    (re.compile(r"(" + _command(r"lftp(?<=\blftp)\b") + r"(?<!\S)-u[ \t]+)" + _CLI_ARGUMENT), _cli_user_password(",")),
    # NetworkManager's ``nmcli dev wifi connect SSID password X`` and a connection's
    # ``wifi-sec.psk X`` (``802-11-wireless-security.psk``, a WEP key ``wep-key0``..``3``, LEAP's
    # password; ``802-1x.password``, a private key's, a mobile or PPPoE connection's password, a PIN).
    (
        re.compile(
            r"(" + _command(r"nmcli(?<=\bnmcli)\b")
            + r"(?<!\S)(?:password|(?:wifi-sec|802-11-wireless-security)\.(?:psk|wep-key[0-3]|leap-password)"
            + r"|(?:802-1x|gsm|cdma|pppoe)\.(?:[\w-]*password|pin))[ \t]+)"
            + _CLI_ARGUMENT
        ),
        _cli_argument,
    ),
    # wpa_supplicant.conf's ``psk="..."`` (the passphrase) or ``psk=`` and 64 hex digits (the key
    # derived from it, as good as the passphrase); ``sae_password`` is an assignment's.
    (re.compile(r"""(?m)^([ \t]*psk=)(?:"(?P<double>[^"\r\n]+)"|(?P<bare>[0-9a-fA-F]{64})\b)"""), _cli_argument),
    # Net-SNMP's tools: ``-c community`` (v1, v2c), ``-A`` and ``-X`` (v3's authentication and
    # privacy passphrases); ``public`` and ``private`` stay (see _snmp_community).
    # To the command's end: ``-A auth -X priv`` gives two.
    (
        re.compile(r"snmp(?<![\w-]snmp)(?:bulk)?(?:walk|get|getnext|set|trap|inform|table|status|df|netstat|delta)\b[^\r\n;|&]*"),
        _snmp_arguments,
    ),
    # A password given to ``sudo -S`` as a here-string (``sudo -S cmd <<< "..."``).
    (
        re.compile(
            r"(sudo(?<=\bsudo)" + _SUDO_OPTIONS + r"[ \t]+-[A-Za-z]*S\b(?:(?!sudo)[^\r\n|;&<])*<<<[ \t]*)"
            + _CLI_ARGUMENT
        ),
        _cli_argument,
    ),
    # Java's keytool and jarsigner: ``-storepass``, ``-keypass``, ``-srcstorepass``, ...; not
    # ``-storepass:env NAME`` (where it is kept).
    (re.compile(r"((?<![\w-])-(?:src|dest|new)?(?:store|key)pass[ \t]+)" + _CLI_ARGUMENT), _cli_argument),
    # ``aws configure set aws_secret_access_key ...`` (``--profile x``, ``profile.x.`` before it).
    (
        re.compile(
            r"(?ix)(\baws[\ \t]+configure[\ \t]+set[\ \t]+(?:--profile[\ \t]+\S+[\ \t]+)?(?:[\w-]+\.)*"
            + _ASSIGNED_NAME
            + r"[\ \t]+)"
            + _CLI_ARGUMENT
        ),
        _cli_argument,
    ),
    # SQL Server's ``sqlcmd -U sa -P secret`` (``osql``, ``bcp``: the same flag; ``-p``, lower
    # case, prints statistics; not PowerShell's ``Invoke-Sqlcmd -Password``), ssh-keygen's
    # ``-N`` (new) and ``-P`` (old) passphrases, ``az login -u user -p secret`` (``--password``
    # is any command's, below): each went out whole. A variable stays (see _CLI_ARGUMENT).
    (
        re.compile(r"(" + _command(r"(?<![\w-])(?i:sqlcmd|osql|bcp)(?:\.exe)?\b") + r"(?<!\S)-P[ \t]*)" + _CLI_ARGUMENT),
        _cli_argument,
    ),
    # ssh-keygen's to the command's end: ``-P old -N new`` gives two.
    (re.compile(r"ssh-keygen(?<=\bssh-keygen)\b[^\r\n;|&]*"), _ssh_keygen_passphrases),
    (re.compile(r"(" + _command(r"az(?<=\baz)[ \t]+login\b") + r"(?<!\S)-p(?:[ \t]+|=))" + _CLI_ARGUMENT), _cli_argument),
    # PowerShell's ``-Password 'secret'`` (``Invoke-Sqlcmd``, ``Connect-VIServer``, ``-Password:``):
    # any cmdlet's. Not an expression (``(Read-Host -AsSecureString)``, ``$cred.Password``) nor
    # openssl's ``-password pass:...`` (whose value after ``pass:`` the assignments take).
    (
        re.compile(r"((?<![\w-])-(?i:password)(?::|[ \t]+)(?!(?i:pass|env|file|fd):|stdin\b))" + _CLI_ARGUMENT),
        _prose_safe_argument,
    ),
    # Windows' ``net user admin secret /add`` (``*`` asks for it, ``/x`` is a switch).
    (
        re.compile(r"""((?i:\bnet[ \t]+user)[ \t]+(?:"[^"\r\n]*"|[^\s"/]+)[ \t]+)(?![*/])""" + _CLI_ARGUMENT),
        _prose_safe_argument,
    ),
    # Network devices' configurations (Cisco IOS, NX-OS, ASA; Juniper): a type 0 password is
    # plain text, type 7 and Juniper's ``$9$`` decode with a published table, types 5, 8 and 9
    # are hashes cracked offline: each went out whole. A configuration line, first on its line
    # (after a ``Router(config)#`` prompt, or an Ansible list's ``- ``), its value the line's
    # last word: "username and password are required" is prose. Without its type, a word of
    # letters is a sentence's too ("- enable secret scanning"): see _device_secret.
    (
        re.compile(
            r"""(?mx)(^[\ \t]*(?:-[\ \t]+)?["']?(?:\S+\(config[\w-]*\)\#[\ \t]*)?
            (?:enable(?:[\ \t]+algorithm-type[\ \t]+\S+)?[\ \t]+(?:password|secret)(?:[\ \t]+level[\ \t]+\d+)?
            |username[\ \t]+\S+(?:[\ \t]+(?!(?:password|secret)\b)\S+)*?[\ \t]+(?:password|secret)
            |(?:password|secret)(?=[\ \t]+\d[\ \t]+\S)  # a ``line vty``'s ``password 7 ...``
            |(?:tacacs|radius)-server[\ \t]+(?:host[\ \t]+\S+(?:[\ \t]+(?!key\b)\S+)*?[\ \t]+)?key
            |neighbor[\ \t]+\S+[\ \t]+password
            |key-string
            |ip[\ \t]+ospf[\ \t]+(?:authentication-key|message-digest-key[\ \t]+\d+[\ \t]+md5)
            )(?:[\ \t]+(?P<type>\d))?[\ \t]+)
            (?:"(?P<double>[^"\r\n]+)"|(?P<bare>[^\s"'`]+))(?=[\ \t]*["']?[\ \t]*\r?$)
            """
        ),
        _device_secret,
    ),
    # IOS's ``crypto isakmp key ... address 203.0.113.5`` (an IPsec peer's pre-shared key).
    (
        re.compile(r"(crypto(?<![\w-]crypto)[ \t]+isakmp[ \t]+key[ \t]+(?:[06][ \t]+)?)(?P<bare>\S+)(?=[ \t]+(?:address|hostname)\b)"),
        _device_secret,
    ),
    # A pre-shared key (IOS's keyrings ``pre-shared-key local 0 ...``, ASA's ``ikev1
    # pre-shared-key ...``, Juniper's ``pre-shared-key ascii-text "$9$..."``), Juniper's
    # ``encrypted-password "$6$..."``, ``authentication-key``, a RADIUS ``secret "$9$..."``: the
    # value ends its statement (a ``;``, the line).
    (
        re.compile(
            r"""(?mx)((?:pre-shared-key(?<![\w-].{14})(?:[\ \t]+(?:ascii-text|hexadecimal|local|remote))*(?:[\ \t]+[06])?
            |encrypted-password(?<![\w-].{18})|authentication-key(?<![\w-].{18})|secret(?<![\w-].{6})(?=[\ \t]+"?\$9\$))
            [\ \t]+)
            (?:"(?P<double>[^"\r\n]+)"|(?P<bare>[^\s"'`;]+))(?=[\ \t]*(?:;|["']|\#\#|\r?$))
            """
        ),
        _device_secret,
    ),
    # Juniper marks each secret of a configuration it prints (``secret "$9$..."; ## SECRET-DATA``).
    (re.compile(r'"(?P<double>[^"\r\n]+)"(?=;[ \t]*##[ \t]*SECRET-DATA)'), _device_secret),
    # An SNMP community: the password of SNMPv1 and v2c (``snmp-server community ... RO``, Net-SNMP's
    # ``rocommunity ...``, ``com2sec name source ...``). Not the defaults: see _snmp_community.
    (
        re.compile(
            r"""(?m)(^[ \t]*(?:-[ \t]+)?["']?(?:snmp-server[ \t]+community|(?:ro|rw)community6?|com2sec6?[ \t]+\S+[ \t]+\S+)[ \t]+)"""
            r"""(?P<bare>[^\s"'`]+)(?=[ \t"']|\r?$)"""
        ),
        _snmp_community,
    ),
    # IOS's trap destination, its community after the host (``snmp-server host 10.0.0.5 version
    # 2c COMMUNITY``; v3 names a user there), and Juniper's ``set snmp community X``.
    (
        re.compile(
            r"""(?m)(^[ \t]*(?:-[ \t]+)?["']?snmp-server[ \t]+host[ \t]+\S+(?:[ \t]+(?:traps|informs))?"""
            r"""(?:[ \t]+version[ \t]+(?:1|2c))?(?:[ \t]+vrf[ \t]+\S+)?[ \t]+)"""
            r"""(?!(?:version|traps|informs|vrf)\b)(?P<bare>[^\s"'`]+)(?=[ \t"']|\r?$)"""
        ),
        _snmp_community,
    ),
    (
        re.compile(r"""(?m)(^[ \t]*(?:\S+[#>%][ \t]*)?set[ \t]+snmp[ \t]+community[ \t]+)"?(?P<bare>[^\s"'`;]+)"""),
        _snmp_community,
    ),
    # Redis's ``requirepass ...`` and ``masterauth ...`` (redis.conf, ``redis-server
    # --requirepass ...`` in a compose file's command, ``CONFIG SET requirepass ...``).
    (re.compile(r"((?:requirepass|masterauth)(?<![\w]requirepass)(?<![\w]masterauth)[ \t]+)" + _CLI_ARGUMENT), _cli_argument),
    # A .pgpass line (``host:port:database:user:password``), written by a script or a Dockerfile
    # (the file itself is excluded): the port a number or ``*``, the password the line's end (or
    # a quote's, before a redirection); not a line of more fields (an IPv6 or MAC address, a time)
    # nor a passwd line (``nobody:*:-2:-2:Unprivileged User:/var/empty:...``).
    (
        re.compile(
            r"""(?m):(?<=[\w.*-]:)(?:\d{1,5}|\*):[\w.*-]+:[\w.@*-]+:"""
            r"""(?P<bare>(?![-<{(\[\\])(?:\\[:\\]|[^\s:"'`\\])+)(?=["'`]|\\n|[ \t]*(?:>|\r?$))"""
        ),
        _pgpass_line,
    ),
    # A password piped into ``sudo -S`` (``echo ... | sudo -S apt-get ...``), as into
    # ``docker login --password-stdin`` above.
    (
        re.compile(
            r"""(echo(?<=\becho)[ \t]+(?:-n[ \t]+)?(["']?))(?![$%{<-])([^\s"'`|;&<>]+)"""
            r"""(?=\2[ \t]*\|[ \t]*sudo""" + _SUDO_OPTIONS + r"""[ \t]+-[A-Za-z]*S)"""
        ),
        _piped_password,
    ),
)
