#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The org.tapix.* interfaces of D-Bus introspection XML.

  introspection.py extract LIVE.xml... > daemon/dist/org.tapix.Tapix1.xml
      writes one node with the interfaces tapixd serves (the shipped file);
  introspection.py check [--ignore IFACE] [--only IFACE] SHIPPED.xml LIVE.xml...
      fails if what tapixd serves differs from the shipped file (members,
      their signatures, property access and whether a property's changes
      are signalled), so that the file cannot drift;
      --ignore IFACE (e.g. the test hooks' org.tapix.Test1) is left out;
      with --only IFACE, only that interface is compared, on both sides
      (e.g. org.tapix.Tapi1 against what the table of forwarded calls
      generates, which has no other interface).
"""
import sys
import xml.etree.ElementTree as ET


def interfaces(paths):
    found = {}
    for p in paths:
        text = open(p).read()
        # busctl prints several documents one after another
        for chunk in text.split("<!DOCTYPE"):
            start = chunk.find("<node")
            if start < 0:
                continue
            root = ET.fromstring(chunk[start:chunk.rfind("</node>") + 7])
            for i in root.iter("interface"):
                if i.get("name", "").startswith("org.tapix."):
                    found[i.get("name")] = i
    return found


def emits(m):
    """A property's EmitsChangedSignal ("true" when not said)."""
    for a in m.iter("annotation"):
        if a.get("name") == "org.freedesktop.DBus.Property.EmitsChangedSignal":
            return a.get("value")
    return "true" if m.tag == "property" else ""


def signature(i):
    out = set()
    for m in i:
        args = tuple((a.get("direction", ""), a.get("type"))
                     for a in m.iter("arg"))
        out.add((m.tag, m.get("name"), m.get("type", ""),
                 m.get("access", ""), emits(m), args))
    return out


def main():
    if len(sys.argv) < 3 or sys.argv[1] not in ("extract", "check"):
        sys.exit(__doc__)
    if sys.argv[1] == "extract":
        node = ET.Element("node")
        for name, i in sorted(interfaces(sys.argv[2:]).items()):
            node.append(i)
        ET.indent(node)
        print('<!DOCTYPE node PUBLIC '
              '"-//freedesktop//DTD D-BUS Object Introspection 1.0//EN"\n'
              ' "http://www.freedesktop.org/standards/dbus/1.0/'
              'introspect.dtd">')
        print("<!-- SPDX-License-Identifier: LGPL-2.1-or-later -->")
        print("<!-- tapixd's interfaces: org.tapix.Tapi1 and Telephony1 on "
              "/org/tapix/Tapix1,\n     Line1 on .../Line/N, Call1 on "
              ".../Call/H (docs/service.md) -->")
        print(ET.tostring(node, encoding="unicode"))
        return 0
    args = sys.argv[2:]
    ignore = set()
    only = set()
    while args and args[0] in ("--ignore", "--only") and len(args) > 1:
        (ignore if args[0] == "--ignore" else only).add(args[1])
        args = args[2:]
    if len(args) < 2:
        sys.exit(__doc__)
    shipped = interfaces([args[0]])
    live = interfaces(args[1:])
    for name in ignore:
        live.pop(name, None)
    if only:
        shipped = {n: i for n, i in shipped.items() if n in only}
        live = {n: i for n, i in live.items() if n in only}
    bad = 0
    for name in sorted(only - set(shipped) - set(live)):
        print("neither shipped nor served: %s" % name)
        bad += 1
    for name in sorted(set(shipped) | set(live)):
        if name not in live:
            print("shipped but not served: %s" % name)
            bad += 1
        elif name not in shipped:
            print("served but not shipped: %s" % name)
            bad += 1
        else:
            a, b = signature(shipped[name]), signature(live[name])
            for x in sorted(a - b):
                print("%s: shipped only: %s" % (name, x))
                bad += 1
            for x in sorted(b - a):
                print("%s: served only: %s" % (name, x))
                bad += 1
    print("introspection: %s" % ("differs" if bad else "matches"))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
