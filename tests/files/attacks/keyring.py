# A covert channel between jobs of a worker slot: the kernel keyrings of the slot's uid (user keyring,
# persistent keyring) outlive every process, so a key added here would be there for the next job of the
# slot, in this run and the next. The cell writes a key and looks for one an earlier job left.
# So that the class test notices an open channel, this attacker then spoils its own relu (it should keep
# every point only if no keyring call went through).
import ctypes, os
_libc = ctypes.CDLL(None, use_errno=True)
_KEY_SPEC_USER_KEYRING, _KEYCTL_GET_PERSISTENT, _KEYCTL_SEARCH = -4, 22, 10
_opened = []
_payload = b"answers for the next job of this slot"
if _libc.syscall(248, b"user", b"nncourse-covert", _payload, len(_payload), _KEY_SPEC_USER_KEYRING) >= 0:  # add_key
    _opened.append("add_key")
if _libc.syscall(250, _KEYCTL_GET_PERSISTENT, -1, _KEY_SPEC_USER_KEYRING) >= 0:  # keyctl
    _opened.append("persistent keyring")
if _libc.syscall(250, _KEYCTL_SEARCH, _KEY_SPEC_USER_KEYRING, b"user", b"nncourse-covert", 0) >= 0:
    _opened.append("keyctl search")
if _libc.syscall(249, b"user", b"nncourse-covert", None, 0) >= 0:  # request_key
    _opened.append("request_key")
print("keyring calls that went through:", _opened or "none", "; errno", os.strerror(ctypes.get_errno()))
if _opened:
    def relu(z):
        return z
