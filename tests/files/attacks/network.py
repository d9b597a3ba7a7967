# Phone home: connect to a server on the host and to the outside world.
import socket
for host, port in [("127.0.0.1", @PORT@), ("10.0.2.2", 80), ("pypi.org", 443)]:
    try:
        socket.create_connection((host, port), timeout=2).sendall(b"stolen answers")
        print("connected", host)
    except Exception as exc:
        print("no", host, exc)
