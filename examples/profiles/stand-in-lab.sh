#!/usr/bin/env bash
# The stand-in lab of examples/profiles/lab.yaml: a standalone swtpm (a TPM on a TCP TCTI), a BMC
# (ipmi_sim and snmpd: IPMI over LAN) and a NUT upsd on an internal Docker network, made from the
# project's simulator images but outside any world. It stands in for a vendor's lab so that
# `sovh certify` can run end to end anywhere.
#   ./stand-in-lab.sh up     start it (prints LAB_UPS_PASSWORD and LAB_BMC_PASSWORD to export)
#   ./stand-in-lab.sh down   remove it
# The simulator images exist once any scenario has run (e.g. `npx sovh run boot-binding`).
set -euo pipefail
net=sovh-stand-in-lab
label=dev.sovh.stand-in-lab=1

image() {
  local found
  found=$(docker images --format '{{.Repository}}:{{.Tag}}' "sovh/$1" | head -n 1)
  if [ -z "$found" ]; then
    echo "no sovh/$1 image: run a scenario once (npx sovh run boot-binding) to build it" >&2
    exit 2
  fi
  echo "$found"
}

case "${1:-}" in
  up)
    tpm_image=$(image sim-tpm)
    ups_image=$(image sim-ups)
    bmc_image=$(image sim-bmc)
    bmc_password=${LAB_BMC_PASSWORD:-$(head -c 6 /dev/urandom | od -An -tx1 | tr -d ' \n')}
    password=${LAB_UPS_PASSWORD:-$(head -c 6 /dev/urandom | od -An -tx1 | tr -d ' \n')}
    # Internal: nothing on it has a route off this machine.
    docker network create --internal --subnet 10.99.0.0/24 --label "$label" "$net" >/dev/null
    docker run -d --name "$net-tpm" --label "$label" --network "$net" --ip 10.99.0.2 \
      --entrypoint sh "$tpm_image" -c 'mkdir -p /tmp/tpm && exec swtpm socket --tpm2 --tpmstate dir=/tmp/tpm --server type=tcp,port=2321,bindaddr=0.0.0.0 --ctrl type=tcp,port=2322,bindaddr=0.0.0.0 --flags not-need-init,startup-clear' >/dev/null
    ups_json=$(printf '{"name":"labups","port":3493,"description":"lab UPS","monitor":{"user":"labmon","password":"%s"},"admin":{"user":"admin","password":"%s"},"initial":{"ups.status":"OL","battery.charge":"100","battery.runtime":"600","ups.mfr":"Stand-in Power","ups.model":"Lab UPS 1000","ups.firmware":"1.0.7"}}' \
      "$password" "$(head -c 6 /dev/urandom | od -An -tx1 | tr -d ' \n')")
    docker run -d --name "$net-ups" --label "$label" --network "$net" --ip 10.99.0.3 \
      -e "UPS_JSON=$ups_json" --entrypoint sh "$ups_image" \
      -c 'mkdir -p /etc/ups && printf %s "$UPS_JSON" > /etc/ups/ups.json && exec /usr/lib/ups/ups-start' >/dev/null
    # The BMC simulator's configuration (sims/bmc/bmc.ts, bmcConfig) with the lab's login and the
    # sensors at rest: nothing drives its thermal model here.
    sensors='[{"key":"inlet","index":1,"name":"Inlet Temp","entity":55,"initialC":21.8,"thresholds":{"lowerCritical":15,"lowerNonCritical":18,"upperNonCritical":27,"upperCritical":32}},{"key":"cpu","index":2,"name":"CPU Temp","entity":3,"initialC":45.8,"thresholds":{"lowerCritical":0,"lowerNonCritical":5,"upperNonCritical":85,"upperCritical":95}},{"key":"exhaust","index":3,"name":"Exhaust Temp","entity":7,"initialC":27.8,"thresholds":{"lowerCritical":0,"lowerNonCritical":5,"upperNonCritical":45,"upperCritical":55}}]'
    bmc_json=$(printf '{"machine":"lab","pollMs":250,"ipmi":{"user":"labadmin","password":"%s","port":623},"snmp":{"community":"ro%s","port":161},"sensors":%s}' \
      "$bmc_password" "$(head -c 4 /dev/urandom | od -An -tx1 | tr -d ' \n')" "$sensors")
    docker run -d --name "$net-bmc" --label "$label" --network "$net" --ip 10.99.0.4 \
      -e "BMC_JSON=$bmc_json" --entrypoint sh "$bmc_image" \
      -c 'mkdir -p /etc/bmc && printf %s "$BMC_JSON" > /etc/bmc/bmc.json && exec /usr/lib/bmc/bmc-start' >/dev/null
    echo "stand-in lab up on $net: TPM swtpm:host=10.99.0.2,port=2321, UPS labups@10.99.0.3:3493, BMC 10.99.0.4 (IPMI lanplus, user labadmin)"
    echo "export LAB_UPS_PASSWORD=$password"
    echo "export LAB_BMC_PASSWORD=$bmc_password"
    ;;
  down)
    docker rm -f "$net-tpm" "$net-ups" "$net-bmc" >/dev/null 2>&1 || true
    docker network rm "$net" >/dev/null 2>&1 || true
    ;;
  *)
    echo "usage: $0 up|down" >&2
    exit 2
    ;;
esac
