"""Known ways out of a Python sandbox, each with where Mediate stops it.

``deploy``: the checker refuses the code, so a diagram holding it is never deployed (and the
same checker refuses it again at run time). ``run``: the code compiles, and a run-time guard or
bound stops it. MARKER is replaced by a file path each attempt tries to create; docs/security.md
lists the same table.
"""

SHELL = "system('touch MARKER')"

CORPUS = [
    # -- frames of generators, coroutines and async generators --
    ("generator frame to builtins (the reported payload)", "eval",
     "[(x for x in [1]).gi_frame.f_back.f_globals['_'+'_builtins__']['__import__']('os')." + SHELL + "]",
     "deploy"),
    ("generator frame, code object", "eval", "(x for x in [1]).gi_code.co_consts", "deploy"),
    ("coroutine frame", "exec", "async def f():\n    pass\nframe = f().cr_frame", "deploy"),
    ("async generator frame", "exec", "async def g():\n    yield 1\nframe = g().ag_frame", "deploy"),
    ("generator function", "exec", "def g():\n    yield 1\nframe = g()", "deploy"),
    ("generator send/throw", "eval", "(x for x in [1]).send(None)", "deploy"),
    # -- tracebacks of caught exceptions --
    ("traceback of a caught exception", "exec",
     "try:\n    1 / 0\nexcept Exception as e:\n    g = e.__traceback__.tb_frame.f_globals", "deploy"),
    ("traceback via with_traceback", "exec",
     "try:\n    1 / 0\nexcept Exception as e:\n    t = e.with_traceback(None)", "deploy"),
    ("bare except swallowing a guard", "exec", "try:\n    x = ().count\nexcept:\n    pass", "deploy"),
    ("except Exception swallowing a run-time refusal", "exec",
     "try:\n    x = now['f_globals']\nexcept Exception:\n    x = 'probed on'", "run"),
    ("mro of an exception class", "eval", "ValueError.mro()", "deploy"),
    # -- str.format / format_map / f-strings --
    ("str.format reaching globals (the reported payload)", "eval",
     "'{0.__globals__[os]}'.format(iso_duration)", "deploy"),
    ("str.format_map", "eval", "'{x.__globals__}'.format_map({'x': iso_duration})", "deploy"),
    ("str.format through the str built-in", "eval", "str.format('{0.__class__}', 1)", "deploy"),
    ("f-string with a dunder", "eval", "f'{iso_duration.__globals__}'", "deploy"),
    ("f-string with a computed format spec", "eval", "f'{1:{width}}'", "deploy"),
    ("%-formatting", "eval", "'%(a)s' % {'a': 1}", "run"),
    # -- class walks --
    ("subclasses through __class__/__mro__", "eval", "().__class__.__mro__[1].__subclasses__()", "deploy"),
    ("type() of a value", "eval", "type(())", "deploy"),
    ("object.__subclasses__", "eval", "object.__subclasses__()", "deploy"),
    ("class statement with a metaclass", "exec", "class A(metaclass=M):\n    pass", "deploy"),
    ("class attribute of a helper class", "eval", "datetime.__init__", "deploy"),
    ("mro of a built-in class", "eval", "timedelta.mro()", "deploy"),
    # -- closures and function defaults --
    ("closure cells", "eval", "(lambda: now).__closure__", "deploy"),
    ("function defaults", "eval", "(lambda x=now: x).__defaults__", "deploy"),
    ("function globals", "eval", "iso_duration.__globals__", "deploy"),
    ("function code", "eval", "iso_duration.__code__", "deploy"),
    # -- NFKC look-alike identifiers (Python folds them to the plain names) --
    ("full-width gi_frame", "eval", "(x for x in [1]).\uff47\uff49_frame", "deploy"),
    ("full-width __class__", "eval", "().\uff3f\uff3fclass\uff3f\uff3f", "deploy"),
    ("full-width getattr", "eval", "\uff47etattr(now, 'x')", "deploy"),
    # -- builtins reached through bound methods and helpers --
    ("__self__ of a built-in method", "eval", "len.__self__", "deploy"),
    ("__self__ of a str method", "eval", "'x'.join.__self__", "deploy"),
    ("classmethod's __self__", "eval", "datetime.strptime.__self__", "deploy"),
    ("method of a helper function", "eval", "iso_duration.join", "run"),
    ("attribute of a safe built-in", "eval", "sorted.keys", "run"),
    # -- decorators and walrus tricks --
    ("decorator", "exec", "@iso_duration\ndef f():\n    pass", "deploy"),
    ("walrus onto a guard name", "eval", "(_getattr_ := 1)", "deploy"),
    ("walrus onto __builtins__", "eval", "(__builtins__ := {})", "deploy"),
    ("walrus capturing a frame", "eval", "(g := (x for x in [1])) and g.gi_frame", "deploy"),
    # -- direct ways in --
    ("__import__", "eval", "__import__('os')." + SHELL, "deploy"),
    ("import statement", "exec", "import os\nos." + SHELL, "deploy"),
    ("from-import", "exec", "from os import system\n" + SHELL, "deploy"),
    ("eval", "eval", "eval('1')", "deploy"),
    ("exec", "exec", "exec('x = 1')", "deploy"),
    ("getattr", "eval", "getattr(now, 'x')", "deploy"),
    ("globals()", "eval", "globals()", "deploy"),
    ("vars()", "eval", "vars(now)", "deploy"),
    ("open", "eval", "open('/etc/passwd').read()", "deploy"),
    ("__builtins__ by name", "eval", "__builtins__['open']", "deploy"),
    ("global statement", "exec", "global now\nnow = 1", "deploy"),
    ("attribute assignment", "exec", "x = []\nx.append = 1", "deploy"),
    ("with statement", "exec", "with x:\n    pass", "deploy"),
    ("indexing a function", "eval", "now['x']", "run"),
    ("item assignment on a helper", "exec", "timedelta[0] = 1", "run"),
    # -- resources --
    ("string repetition", "eval", "'x' * 10**10", "run"),
    ("list of lists by repetition", "eval", "[[0] * 1000] * 1000", "run"),
    ("huge power", "eval", "10 ** 10 ** 10", "run"),
    ("huge shift", "eval", "1 << 10**10", "run"),
    ("huge range", "eval", "list(range(10**12))", "run"),
    ("doubling a string", "exec", "s = 'ab'\nfor i in range(64):\n    s = s + s", "run"),
    ("join into a huge string", "eval", "('x' * 99999).join(['y'] * 99999)", "run"),
    ("replace into a huge string", "eval", "('x' * 99999).replace('', 'y' * 999)", "run"),
    ("f-string width", "eval", "f'{1:>999999999}'", "deploy"),
    ("endless loop", "exec", "while True:\n    pass", "run"),
    ("nested comprehension", "eval", "sum(1 for a in range(10**5) for b in range(10**5))", "run"),
    ("unbounded recursion", "exec", "def f(n):\n    return f(n + 1)\nx = f(0)", "run"),
    ("steps in a loop", "exec", "x = []\nwhile True:\n    x.append(list(range(10**5)))", "run"),
    ("memory in a loop", "exec", "x = []\nwhile True:\n    x.append('y' * 99999 + str(len(x)))", "run"),
    # -- values that cannot be stored --
    ("a set left in task data", "exec", "x = {1, 2}", "run"),
    ("a lone surrogate left in task data", "exec", "x = '\\udfff'", "run"),
    ("a non-finite number left in task data", "exec", "x = float('inf')", "run"),
]
