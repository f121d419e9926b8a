# report.awk: bench/run.sh's report: reads figures.txt, then the samples ("BENCH: NAME VALUE", "BENCH-HOST: KEY TEXT",
# "BENCH-NA: NAME WHY"); prints the table (median, min, max of each figure) and writes it all as JSON to the file json.

function num(v) { return sprintf("%.10g", v) }

# fmt V: a value for the table, with precision to suit its size
function fmt(v, a) {
	if (v == "") return "-"
	a = v < 0 ? -v : v
	if (a >= 1000 || v == int(v)) return sprintf("%.0f", v)
	if (a >= 100) return sprintf("%.1f", v)
	if (a >= 1) return sprintf("%.2f", v)
	return sprintf("%.3f", v)
}

function jstr(s) {
	gsub(/\\/, "\\\\", s)
	gsub(/"/, "\\\"", s)
	gsub(/\t/, " ", s)
	return "\"" s "\""
}

# stats NAME: sets med, lo, hi over the samples of NAME (sorted in place)
function stats(name, n, i, j, t) {
	n = cnt[name]
	for (i = 2; i <= n; i++)
		for (j = i; j > 1 && val[name, j - 1] + 0 > val[name, j] + 0; j--) {
			t = val[name, j]; val[name, j] = val[name, j - 1]; val[name, j - 1] = t
		}
	lo = val[name, 1]; hi = val[name, n]
	med = n % 2 ? val[name, (n + 1) / 2] : (val[name, n / 2] + val[name, n / 2 + 1]) / 2
}

function add(name, v) {
	if (!(name in cnt)) { cnt[name] = 0; if (!(name in unit)) extra[++nextra] = name }
	val[name, ++cnt[name]] = v
	raw[name] = (cnt[name] > 1 ? raw[name] ", " : "") num(v)
}

FNR == NR {
	if ($0 ~ /^#/ || $0 == "") next
	split($0, f, "|")
	order[++norder] = f[1]; unit[f[1]] = f[2]; label[f[1]] = f[3]
	if (f[4] != "") derive[f[1]] = substr(f[4], 2)
	next
}
/^BENCH: / { add($2, $3); next }
/^BENCH-HOST: / { k = $2; sub(/^BENCH-HOST: [^ ]+ ?/, ""); if (!(k in host)) hostkey[++nhost] = k; host[k] = $0; next }
/^BENCH-NA: / { k = $2; sub(/^BENCH-NA: [^ ]+ ?/, ""); if (!(k in na)) na[k] = $0; next }

END {
	for (d in derive) {
		split(derive[d], ab, "/")
		for (i = 1; i <= cnt[ab[1]] && i <= cnt[ab[2]]; i++)
			if (val[ab[2], i] != 0) add(d, val[ab[1], i] / val[ab[2], i])
	}
	for (i = 1; i <= nextra; i++) { order[++norder] = extra[i]; label[extra[i]] = extra[i] }

	printf "lkvm bench, %s: %s\n", host["date"], host["where"]
	printf "host kernel %s (MIDR %s, %s CPUs), guest kernel %s, %s; median of %s runs\n", host["kernel"], host["midr"],
		host["cpus"], host["guest_kernel"], host["lkvm"], host["runs"]
	printf "load average of the machine running it: %s before, %s after; %s s in all\n", host["loadavg_before"],
		host["loadavg_after"], host["seconds"]
	printf "%-58s %10s %10s %10s  %s\n", "figure", "median", "min", "max", "unit"
	for (i = 1; i <= norder; i++) {
		k = order[i]
		if (cnt[k]) {
			stats(k)
			printf "%-58s %10s %10s %10s  %s\n", label[k], fmt(med), fmt(lo), fmt(hi), unit[k]
			m[k] = med; mn[k] = lo; mx[k] = hi
		} else {
			printf "%-58s %10s %10s %10s  %s\n", label[k], "n/a", "", "", (k in na) ? "(" na[k] ")" : "(not measured)"
		}
	}

	print "{" >json
	print "  \"schema\": 1," >json
	print "  \"host\": {" >json
	for (i = 1; i <= nhost; i++)
		printf "    %s: %s%s\n", jstr(hostkey[i]), jstr(host[hostkey[i]]), i < nhost ? "," : "" >json
	print "  }," >json
	print "  \"figures\": [" >json
	for (i = 1; i <= norder; i++) {
		k = order[i]
		printf "    {\"name\": %s, \"label\": %s, \"unit\": %s, \"n\": %d, ", jstr(k), jstr(label[k]), jstr(unit[k]),
			cnt[k] >json
		if (cnt[k])
			printf "\"median\": %s, \"min\": %s, \"max\": %s, \"samples\": [%s]", num(m[k]), num(mn[k]), num(mx[k]), raw[k] >json
		else
			printf "\"median\": null, \"min\": null, \"max\": null, \"samples\": [], \"unavailable\": %s",
				jstr((k in na) ? na[k] : "not measured") >json
		printf "}%s\n", i < norder ? "," : "" >json
	}
	print "  ]" >json
	print "}" >json
	close(json)
}
