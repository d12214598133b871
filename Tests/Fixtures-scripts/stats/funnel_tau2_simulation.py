#!/usr/bin/env python3
"""The windows of the tau2 recovery tests (FunnelTests.plantedOverdispersion and
FunnelSimulationTests.consistentTau2): 300 numpy replicates of their design, the
DerSimonian-Laird tau2 with the consistent (c) and the classic (s) phi. Prints mean, sd,
min, max and the mean over the planted 0.0392. Run: python3 Tests/Fixtures-scripts/stats/funnel_tau2_simulation.py
(numpy 2.4.6 used)."""
import numpy as np
C=0.6786545589528744
rng=np.random.default_rng(1)
res={'c':[], 's':[]}
for rep in range(300):
    n=5000
    e=20+180*rng.uniform(size=n)
    o=rng.poisson(e*np.exp(0.4*rng.normal(size=n)-0.08))
    ft=np.sqrt(o)+np.sqrt(o+1)-np.sqrt(4*e+1)
    q10,q90=np.percentile(ft,[10,90])
    raw=np.mean(np.clip(ft,q10,q90)**2)
    w=4*e
    for k,phi in [('c',raw/C),('s',raw)]:
        res[k].append(max(0,(n*phi-(n-1))/(w.sum()-(w**2).sum()/w.sum())))
for k in res:
    a=np.array(res[k]); print(k, a.mean(), a.std(), a.min(), a.max(), a.mean()/0.0392)
