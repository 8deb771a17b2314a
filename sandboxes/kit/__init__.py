"""What every provider sandbox is built on: the HTTP layer over WSGI, the application shell,
routing, injected faults, the threaded server, the movable clock, exact JSON and the Belgian structured reference."""
