"""What each function does, over the ports: a handler builds one of these and calls it."""
