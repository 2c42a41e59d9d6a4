"""Luminosity distance of a transient from its redshift, in a flat Lambda-CDM cosmology.

Called by plugins/luminosity-distance.ts: reads one JSON object on stdin,
{"transient": {...}, "task": "...", "attempt": 1}, and writes one JSON object on stdout,
{"status": "...", "output": {...}}. Anything for people goes to stderr. A crash (a non-zero exit)
is the task's failure; the plugin quotes the end of stderr.

Only the standard library: a real task would import numpy or astropy here.
"""
import json
import math
import sys
import time

H0 = 70.0  # km/s/Mpc
OMEGA_M = 0.3
C = 299792.458  # km/s


def luminosity_distance_mpc(z: float, steps: int = 10000) -> float:
    """(1 + z) c/H0 times the integral of dz'/E(z') from 0 to z (Simpson's rule)."""
    def inverse_e(x: float) -> float:
        return 1.0 / math.sqrt(OMEGA_M * (1 + x) ** 3 + (1 - OMEGA_M))
    h = z / steps
    total = inverse_e(0) + inverse_e(z)
    for i in range(1, steps):
        total += (4 if i % 2 else 2) * inverse_e(i * h)
    return (1 + z) * C / H0 * total * h / 3


def main() -> None:
    request = json.load(sys.stdin)
    transient = request["transient"]
    # a stand-in for a long fit, so that cancellation can be seen (the plugin kills this process)
    time.sleep(float(transient["data"].get("simulate_seconds", 0)))
    z = transient.get("redshift")
    if z is None or z <= 0:
        json.dump({"status": "no redshift"}, sys.stdout)
        return
    print(f"{transient['name']}: z = {z}", file=sys.stderr)
    json.dump({
        "status": "processed",
        "output": {"luminosity_distance_mpc": round(luminosity_distance_mpc(z), 3), "h0": H0, "omega_m": OMEGA_M},
    }, sys.stdout)


if __name__ == "__main__":
    main()
