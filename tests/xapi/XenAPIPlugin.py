"""Stand-in for xapi's XenAPIPlugin module, as XCP-ng's plugin tests use one.

dispatch() records the plugin's function table instead of reading an XML-RPC call
from argv; Failure is built the way the real one is (params = [code] + params).
"""

registered = {}


class Failure(Exception):
    def __init__(self, code, params):
        Exception.__init__(self)
        self.params = [code] + params

    def __str__(self):
        return str(self.params)


def dispatch(fn_table):
    registered.clear()
    registered.update(fn_table)
