#!/usr/bin/python3
"""Prints PythonCodecs' alias table: every name in encodings.aliases that leads to a codec
PythonCodecs decodes, as Java map entries. Run it with the reference's Python (Debian's
/usr/bin/python3, 3.11) and paste its output over the table in PythonCodecs.java."""
import codecs
from encodings.aliases import aliases

# Python's module name -> PythonCodecs.Codec constant
OURS = {
    "utf_8": "UTF_8", "utf_8_sig": "UTF_8_SIG",
    "utf_16": "UTF_16", "utf_16_le": "UTF_16_LE", "utf_16_be": "UTF_16_BE",
    "utf_32": "UTF_32", "utf_32_le": "UTF_32_LE", "utf_32_be": "UTF_32_BE",
    "ascii": "ASCII", "latin_1": "LATIN_1",
}
OURS.update({"cp%d" % n: "CP%d" % n for n in range(1250, 1259)})

# The lookup PythonCodecs does relies on these: a module name is never also an alias, and a
# dotted alias never hides a different codec behind its underscored spelling.
for module in OURS:
    assert module not in aliases, module
    codecs.lookup(module)
for key, target in aliases.items():
    other = aliases.get(key.replace(".", "_"))
    assert other is None or (other in OURS) == (target in OURS), key

for key in sorted(k for k, v in aliases.items() if v in OURS):
    print('          Map.entry("%s", Codec.%s),' % (key, OURS[aliases[key]]))
