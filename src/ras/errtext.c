/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * RasGetErrorString's texts (ras.md §8): tapix's own one-line English
 * texts for the generic codes RAS returns and for 600 to 764. The codes
 * tapix produces have a sentence each; the others, which tapix never
 * produces, say what their name says.
 */
#include "ras/ras.h"

#include <string.h>

static const struct {
	unsigned code;
	const char *text;
} texts[] = {
	{0, "The operation completed successfully."},
	{6, "The connection handle is not valid, or the connection is gone."},
	{8, "Not enough memory to complete the operation."},
	{87, "A parameter is not valid."},
	{122, "The buffer given is too small."},
	{600, "An operation is pending."},
	{601, "Remote access problem: invalid port handle."},
	{602, "Remote access problem: port already open."},
	{603,
         "The buffer is too small for the result; the size needed was returned."},
	{604, "Remote access problem: wrong info specified."},
	{605, "Remote access problem: cannot set port info."},
	{606, "Remote access problem: port not connected."},
	{607, "Remote access problem: event invalid."},
	{608, "The phonebook entry names a device that does not exist."},
	{609, "The device type of the phonebook entry is not supported."},
	{610, "A buffer or structure pointer is not valid."},
	{611, "Remote access problem: route not available."},
	{612, "Remote access problem: route not allocated."},
	{613, "Remote access problem: invalid compression specified."},
	{614, "Remote access problem: out of buffers."},
	{615, "Remote access problem: port not found."},
	{616,
         "An asynchronous request is pending; this function cannot be called now."},
	{617, "Remote access problem: already disconnecting."},
	{618, "Remote access problem: port not open."},
	{619, "The port was disconnected: the line was closed or removed."},
	{620, "Remote access problem: no endpoints."},
	{621, "The phonebook file cannot be opened."},
	{622, "The phonebook file cannot be loaded."},
	{623, "The phonebook has no entry of that name."},
	{624, "Remote access problem: cannot write phonebook."},
	{625, "The phonebook file is corrupt."},
	{626, "Remote access problem: cannot load string."},
	{627, "Remote access problem: key not found."},
	{628, "The connection was closed."},
	{629, "The remote end closed the connection."},
	{630, "The device failed (hardware failure)."},
	{631, "The user ended the connection."},
	{632, "The structure size (dwSize) is not one this version supports."},
	{633, "The line is already in use or not available."},
	{634, "Remote access problem: cannot project client."},
	{635, "An unknown error occurred."},
	{636, "Remote access problem: wrong device attached."},
	{637, "Remote access problem: bad string."},
	{638, "The request timed out."},
	{639, "No network adapter (LANA) could be obtained."},
	{640, "A NetBIOS error occurred."},
	{641, "Remote access problem: server out of resources."},
	{642, "Remote access problem: name exists on net."},
	{643, "Remote access problem: server general net failure."},
	{644, "Remote access problem: msg alias not added."},
	{645, "An internal authentication error occurred."},
	{646, "Remote access problem: restricted logon hours."},
	{647, "Remote access problem: acct disabled."},
	{648, "The password has expired."},
	{649, "Remote access problem: no dialin permission."},
	{650, "The remote access server does not respond."},
	{651, "The device reported an error."},
	{652, "Remote access problem: unrecognized response."},
	{653, "Remote access problem: macro not found."},
	{654, "Remote access problem: macro not defined."},
	{655, "Remote access problem: message macro not found."},
	{656, "Remote access problem: default-off setting macro not found."},
	{657, "Remote access problem: file could not be opened."},
	{658, "Remote access problem: device name too long."},
	{659, "Remote access problem: device name not found."},
	{660, "Remote access problem: no responses."},
	{661, "Remote access problem: no command found."},
	{662, "Remote access problem: wrong key specified."},
	{663, "Remote access problem: unknown device type."},
	{664, "Remote access problem: allocating memory."},
	{665, "The line is not configured for data calls."},
	{666, "Remote access problem: device not ready."},
	{667, "Remote access problem: reading INI file."},
	{668, "Remote access problem: no connection."},
	{669, "Remote access problem: bad usage in INI file."},
	{670, "Remote access problem: reading section name."},
	{671, "Remote access problem: reading device type."},
	{672, "Remote access problem: reading device name."},
	{673, "Remote access problem: reading usage."},
	{674, "Remote access problem: reading maximum connect speed."},
	{675, "Remote access problem: reading maximum carrier speed."},
	{676, "The line is busy."},
	{677, "Remote access problem: voice answer."},
	{678, "There was no answer."},
	{679, "There was no carrier: the call could not be established."},
	{680, "There was no dial tone."},
	{681, "Remote access problem: in command."},
	{682, "Remote access problem: writing section name."},
	{683, "Remote access problem: writing device type."},
	{684, "Remote access problem: writing device name."},
	{685, "Remote access problem: writing maximum connect speed."},
	{686, "Remote access problem: writing maximum carrier speed."},
	{687, "Remote access problem: writing usage."},
	{688, "Remote access problem: writing default-off setting."},
	{689, "Remote access problem: reading default-off setting."},
	{690, "Remote access problem: empty INI file."},
	{691, "Access was denied: the user name or password is not valid."},
	{692, "Remote access problem: port or device."},
	{693, "Remote access problem: not binary macro."},
	{694, "Remote access problem: DCB not found."},
	{695, "Remote access problem: state machines not started."},
	{696, "Remote access problem: state machines already started."},
	{697, "Remote access problem: partial response looping."},
	{698, "Remote access problem: unknown response key."},
	{699, "Remote access problem: recv buf full."},
	{700, "Remote access problem: cmd too long."},
	{701, "Remote access problem: unsupported speed."},
	{702, "Remote access problem: unexpected response."},
	{703, "The connection needs user interaction, which is not supported."},
	{704, "The callback number is not valid."},
	{705, "Remote access problem: invalid auth state."},
	{706, "Remote access problem: writing initial speed."},
	{707, "Remote access problem: X.25 diagnostic."},
	{708, "Remote access problem: acct expired."},
	{709, "Remote access problem: changing password."},
	{710, "Remote access problem: overrun."},
	{711,
         "The remote access service cannot start: the telephony service is not reachable."},
	{712, "Remote access problem: biplex port not available."},
	{713, "Remote access problem: no active ISDN lines."},
	{714, "Remote access problem: no ISDN channels available."},
	{715, "Remote access problem: too many line errors."},
	{716, "Remote access problem: IP configuration."},
	{717, "Remote access problem: no IP addresses."},
	{718, "The link did not come up in time (PPP timeout)."},
	{719, "Remote access problem: PPP remote terminated."},
	{720, "Remote access problem: PPP no protocols configured."},
	{721, "The remote end does not answer link control requests."},
	{722, "Remote access problem: PPP invalid packet."},
	{723, "The phone number is too long."},
	{724, "Remote access problem: IPXCP no dialout configured."},
	{725, "Remote access problem: IPXCP no dialin configured."},
	{726, "Remote access problem: IPXCP dialout already active."},
	{727, "Remote access problem: accessing TCP configuration library."},
	{728, "Remote access problem: no IP ras adapter."},
	{729, "Remote access problem: slip requires IP."},
	{730, "Remote access problem: projection not complete."},
	{731, "A protocol is not configured (no PPP support)."},
	{732, "The link negotiation did not converge."},
	{733, "Remote access problem: PPP CP rejected."},
	{734, "Remote access problem: PPP LCP terminated."},
	{735, "Remote access problem: PPP required address rejected."},
	{736, "Remote access problem: PPP NCP terminated."},
	{737, "A loopback was detected on the link."},
	{738, "Remote access problem: PPP no address assigned."},
	{739, "Remote access problem: cannot use logon credentials."},
	{740, "The telephony configuration is not valid."},
	{741, "Remote access problem: no local encryption."},
	{742, "Remote access problem: no remote encryption."},
	{743, "Remote access problem: remote requires encryption."},
	{744, "Remote access problem: IPXCP net number conflict."},
	{745, "Remote access problem: invalid SMM."},
	{746, "Remote access problem: SMM uninitialized."},
	{747, "Remote access problem: no MAC for port."},
	{748, "Remote access problem: SMM timeout."},
	{749, "The phone number is not valid."},
	{750, "Remote access problem: wrong module."},
	{751, "Remote access problem: invalid callback number."},
	{752, "Remote access problem: script syntax."},
	{753, "Remote access problem: hangup failed."},
	{754, "Remote access problem: bundle not found."},
	{755, "Remote access problem: cannot do customdial."},
	{756, "This connection is already being dialled."},
	{757, "Remote access problem: RASAUTO cannot initialize."},
	{758, "Remote access problem: connection already shared."},
	{759, "Remote access problem: sharing change failed."},
	{760, "Remote access problem: sharing router install."},
	{761, "Remote access problem: share connection failed."},
	{762, "Remote access problem: sharing private install."},
	{763, "Remote access problem: cannot share connection."},
	{764, "Remote access problem: no smart card reader."},
};

const char *ras_error_text(unsigned code)
{
	size_t i;

	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		if (texts[i].code == code)
			return texts[i].text;
	return NULL;
}

DWORD WINAPI RasGetErrorStringA(UINT ResourceId, LPSTR lpszString,
                                DWORD InBufSize)
{
	const char *t;
	size_t n;

	if (!lpszString)
		return ERROR_INVALID_PARAMETER;
	t = ras_error_text(ResourceId);
	if (!t)
		return ERROR_INVALID_PARAMETER;
	n = strlen(t);
	if (n + 1 > InBufSize)
		return ERROR_INSUFFICIENT_BUFFER; /* nothing written */
	memcpy(lpszString, t, n + 1);
	return 0;
}
