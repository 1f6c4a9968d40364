"""A minimal PKCS#11 binding over ctypes: just the calls the stack makes to its cell's HSM.

Written against the C API rather than PyKCS11 so that every buffer that carries key material is
one the stack owns (a SecretBuffer) and can wipe: PyKCS11 returns results as Python lists and
keeps C++ vectors nobody clears. Functions are reached through C_GetFunctionList, in the order
the PKCS#11 v2.40 header gives them."""

import ctypes

CK_ULONG = ctypes.c_ulong
CK_RV = ctypes.c_ulong

CKR_OK = 0x0
CKR_USER_ALREADY_LOGGED_IN = 0x100
CKR_CRYPTOKI_ALREADY_INITIALIZED = 0x191
CKF_RW_SESSION = 0x2
CKF_SERIAL_SESSION = 0x4
CKU_USER = 1
CKA_CLASS = 0x0
CKA_LABEL = 0x3
CKO_SECRET_KEY = 0x4
CKM_AES_ECB = 0x1081

# The names of the return values a host is likely to meet, for readable errors.
_RV_NAMES = {
    0x5: "CKR_GENERAL_ERROR",
    0x6: "CKR_FUNCTION_FAILED",
    0x30: "CKR_DEVICE_ERROR",
    0x31: "CKR_DEVICE_MEMORY",
    0x32: "CKR_DEVICE_REMOVED",
    0x70: "CKR_MECHANISM_INVALID",
    0xA0: "CKR_PIN_INCORRECT",
    0xB3: "CKR_SESSION_HANDLE_INVALID",
    0xE0: "CKR_TOKEN_NOT_PRESENT",
    0x101: "CKR_USER_NOT_LOGGED_IN",
    0x150: "CKR_BUFFER_TOO_SMALL",
    0x190: "CKR_CRYPTOKI_NOT_INITIALIZED",
}

_FUNCTIONS = (
    "C_Initialize C_Finalize C_GetInfo C_GetFunctionList C_GetSlotList C_GetSlotInfo C_GetTokenInfo "
    "C_GetMechanismList C_GetMechanismInfo C_InitToken C_InitPIN C_SetPIN C_OpenSession C_CloseSession "
    "C_CloseAllSessions C_GetSessionInfo C_GetOperationState C_SetOperationState C_Login C_Logout "
    "C_CreateObject C_CopyObject C_DestroyObject C_GetObjectSize C_GetAttributeValue C_SetAttributeValue "
    "C_FindObjectsInit C_FindObjects C_FindObjectsFinal C_EncryptInit C_Encrypt C_EncryptUpdate "
    "C_EncryptFinal C_DecryptInit C_Decrypt C_DecryptUpdate C_DecryptFinal"
).split()


class CkVersion(ctypes.Structure):
    _fields_ = [("major", ctypes.c_ubyte), ("minor", ctypes.c_ubyte)]


class CkFunctionList(ctypes.Structure):
    _fields_ = [("version", CkVersion)] + [(name, ctypes.c_void_p) for name in _FUNCTIONS]


class CkAttribute(ctypes.Structure):
    _fields_ = [("type", CK_ULONG), ("pValue", ctypes.c_void_p), ("ulValueLen", CK_ULONG)]


class CkMechanism(ctypes.Structure):
    _fields_ = [("mechanism", CK_ULONG), ("pParameter", ctypes.c_void_p), ("ulParameterLen", CK_ULONG)]


class Pkcs11Error(Exception):
    def __init__(self, call, rv):
        self.rv = rv
        self.rv_name = _RV_NAMES.get(rv, f"0x{rv:08X}")
        super().__init__(f"{call} returned {self.rv_name}")


def _prototype(*argtypes):
    return ctypes.CFUNCTYPE(CK_RV, *argtypes)


_P = ctypes.c_void_p
_UL = CK_ULONG
_PUL = ctypes.POINTER(CK_ULONG)
_SIGNATURES = {
    "C_Initialize": (_P,),
    "C_Finalize": (_P,),
    "C_GetSlotList": (ctypes.c_ubyte, _P, _PUL),
    "C_GetTokenInfo": (_UL, _P),
    "C_OpenSession": (_UL, _UL, _P, _P, _PUL),
    "C_CloseSession": (_UL,),
    "C_GetSessionInfo": (_UL, _P),
    "C_Login": (_UL, _UL, ctypes.c_char_p, _UL),
    "C_FindObjectsInit": (_UL, _P, _UL),
    "C_FindObjects": (_UL, _PUL, _UL, _PUL),
    "C_FindObjectsFinal": (_UL,),
    "C_EncryptInit": (_UL, _P, _UL),
    "C_EncryptUpdate": (_UL, _P, _UL, _P, _PUL),
    "C_EncryptFinal": (_UL, _P, _PUL),
    "C_DecryptInit": (_UL, _P, _UL),
    "C_DecryptUpdate": (_UL, _P, _UL, _P, _PUL),
    "C_DecryptFinal": (_UL, _P, _PUL),
}


class Module:
    """A loaded PKCS#11 module; `call(name, *args)` raises Pkcs11Error on anything but CKR_OK."""

    def __init__(self, path):
        self._library = ctypes.CDLL(path)
        table = ctypes.POINTER(CkFunctionList)()
        get_list = self._library.C_GetFunctionList
        get_list.argtypes = [ctypes.POINTER(ctypes.POINTER(CkFunctionList))]
        get_list.restype = CK_RV
        rv = get_list(ctypes.byref(table))
        if rv != CKR_OK:
            raise Pkcs11Error("C_GetFunctionList", rv)
        self._functions = {
            name: _prototype(*argtypes)(getattr(table.contents, name)) for name, argtypes in _SIGNATURES.items()
        }

    def call(self, name, *args, accept=()):
        rv = self._functions[name](*args)
        if rv != CKR_OK and rv not in accept:
            raise Pkcs11Error(name, rv)
        return rv
