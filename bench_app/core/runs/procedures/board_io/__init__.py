"""What procedures share to talk to a board: the session, stream capture, sound players."""
