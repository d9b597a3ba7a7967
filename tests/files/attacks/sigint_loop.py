# Loop forever, ignoring the interrupt that ends a cell at its time limit.
import signal
signal.signal(signal.SIGINT, signal.SIG_IGN)
while True:
    pass
