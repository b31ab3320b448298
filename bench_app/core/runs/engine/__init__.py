"""The run engine: documents, the procedure protocol, the controller thread, subscribers.

Knows nothing of boards, audio or any one measurement; procedures (``runs.procedures``) are
anything with ``name``, ``params``, ``board_info()`` and ``execute(ctx)``.
"""
