"""The `pressroom` command and the local stack: for workstations and CI, never in the Lambda layer.

It imports the library (`pressroom`); the library never imports it.
"""
