/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tapix/wintypes.h: the Windows base types the Windows-compatible headers
 * (tapi.h, tspi.h, ras.h) use, with the Windows sizes on a 64-bit POSIX
 * system (DWORD 32 bits, pointers 64). A program that brings its own
 * definitions defines TAPIX_NO_WINDOWS_TYPES before including them.
 */
#ifndef TAPIX_WINTYPES_H
#define TAPIX_WINTYPES_H

#include <stdint.h>

#ifndef TAPIX_NO_WINDOWS_TYPES
typedef uint32_t DWORD;
typedef int32_t LONG;
typedef uintptr_t DWORD_PTR;
typedef uint8_t BYTE;
typedef uint16_t WORD;
typedef int BOOL;
typedef char CHAR;
typedef void *HANDLE;
typedef void *HINSTANCE;
typedef void *LPVOID;
typedef DWORD *LPDWORD;
typedef const char *LPCSTR;
typedef char *LPSTR;

#ifndef WINAPI
#define WINAPI
#endif
#ifndef CALLBACK
#define CALLBACK
#endif
#ifndef INFINITE
#define INFINITE 0xFFFFFFFFU
#endif

typedef struct _GUID {
	uint32_t Data1;
	uint16_t Data2;
	uint16_t Data3;
	uint8_t Data4[8];
} GUID;

typedef struct _SYSTEMTIME {
	WORD wYear;
	WORD wMonth;
	WORD wDayOfWeek;
	WORD wDay;
	WORD wHour;
	WORD wMinute;
	WORD wSecond;
	WORD wMilliseconds;
} SYSTEMTIME;

typedef unsigned int UINT;
typedef int INT;
typedef uintptr_t ULONG_PTR;
typedef BOOL *LPBOOL;
typedef void *HWND;

#ifndef VOID
#define VOID void
#endif
#ifndef TRUE
#define TRUE 1
#endif
#ifndef FALSE
#define FALSE 0
#endif

typedef struct _LUID {
	DWORD LowPart;
	LONG HighPart;
} LUID;
#endif /* TAPIX_NO_WINDOWS_TYPES */

#endif /* TAPIX_WINTYPES_H */
