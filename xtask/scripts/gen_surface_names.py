# Writes tests/tests/surface_names.rs from the surface table and the generated namespaces.
# Run from the workspace root: python3 xtask/scripts/gen_surface_names.py && cargo fmt --all
import re
src=open('api/src/generated/namespaces.rs').read()
blocks=re.split(r"\nimpl<'c, E: Transport> (\w+)<'c, E> \{", src)
structs={}
sigs={}
for i in range(1,len(blocks),2):
    name=blocks[i]; body=blocks[i+1]
    acc={}; meths=set()
    for m in re.finditer(r"pub fn (?:r#)?(\w+)(?:<[^>]*>)?\(\s*&self,?([^{;]*?)\)\s*->\s*(\w+)<", body, re.S):
        fn=m.group(1); params=m.group(2); ret=m.group(3)
        if ret=='Call':
            meths.add(fn)
            sigs[(name,fn)]=params
        else: acc[fn]=ret
    structs[name]=(acc,meths)
paths={}
def walk(struct, chain):
    acc,_=structs[struct]
    for fn,ret in acc.items():
        if ret in structs and ret not in paths:
            paths[ret]=chain+[fn]; walk(ret, chain+[fn])
walk('Api',[])
rows=[l.rstrip('\n').split('\t') for l in open('../shared/surface.tsv')][1:]
by_dotted={'.'.join(ch):st for st,ch in paths.items()}
missing=[]; items=[]
for r in rows:
    ns, meth = r[3], r[4]
    st=by_dotted.get(ns)
    if st is None or meth not in structs[st][1]:
        missing.append((ns,meth,st)); continue
    items.append((st,meth,ns))
    if r[5] not in ('—',''):
        if meth+'_auto_paging' in structs[st][1]: items.append((st,meth+'_auto_paging',ns))
        else: missing.append((ns,meth+'_auto_paging',st))
print('rows',len(rows),'names',len(items),'missing',missing)
kw={'type','match','move','loop','use','ref','impl','fn','mod','struct','enum','self','super','crate','where','const','static','in','as','for','if','else','while','return','break','continue','let','mut','pub','trait','unsafe','async','await','dyn','box','yield'}
def ident(s): return 'r#'+s if s in kw else s
out=['//! Every method name of `surface.tsv` (and its `_auto_paging` twin where the row pages) is',
'//! callable on the blocking and the async client: each namespace is reached through',
'//! `client.api()` and each method is named on it. Written by `xtask/scripts/gen_surface_names.py` from',
'//! the surface table (`surface.tsv`) and the generated namespaces; compiling this file is the test (a',
'//! renamed or missing method fails the build) and the counts are asserted at run time.',
'',
'use amigo_platform_api::models as m;',
'use amigo_platform_api::namespaces as ns;',
'use amigo_platform_api::ApiExt;',
'use amigo_platform_core::{Client, Config, Transport};',
'',
'/// Reaches every namespace from the client.',
'fn reach_every_namespace<E: Transport>(c: &Client<E>) -> usize {',
'    let mut n = 0;']
for st,ch in sorted(paths.items(), key=lambda x: '.'.join(x[1])):
    out.append(f'    let _ = c.api().{"().".join(ident(x) for x in ch)}();')
    out.append('    n += 1;')
out+=['    n','}','','/// Names every method of every row of surface.tsv.','fn name_every_method<E: Transport>() -> usize {','    let mut n = 0;']
seen=set()
for st,meth,nsd in items:
    if (st,meth) in seen: continue
    seen.add((st,meth))
    tys=[]
    for part in [x.strip() for x in sigs[(st,meth)].split(',') if x.strip()]:
        ty=part.split(':',1)[1].strip()
        mm=re.match(r'impl Into<(.+)>$', ty)
        if mm: ty=mm.group(1)
        mm=re.match(r'impl IntoIterator<Item = (.+)>$', ty)
        if mm: ty='Vec<'+mm.group(1)+'>'
        ty=re.sub(r'\bm::', 'm::', ty)
        tys.append(ty)
    args=''.join(', '+t for t in tys)
    out.append(f"    let _: fn(&ns::{st}<'static, E>{args}) -> _ = ns::{st}::{ident(meth)}; // {nsd}")
    out.append('    n += 1;')
out+=['    n','}','',
'fn config() -> Config {',
'    Config::builder().api_key("sk-compile").workspace_id("ws-001").build().expect("config")',
'}','',
'#[test]','fn blocking_client_has_every_surface_name() {',
'    let client = amigo_platform_ureq::Client::new(config());',
f'    assert_eq!(reach_every_namespace(&client), {len(paths)});',
f'    assert_eq!(name_every_method::<amigo_platform_ureq::UreqTransport>(), {len(seen)});',
'}','',
'#[test]','fn async_client_has_every_surface_name() {',
'    let client = amigo_platform_hyper::Client::new(config());',
f'    assert_eq!(reach_every_namespace(&client), {len(paths)});',
f'    assert_eq!(name_every_method::<amigo_platform_hyper::HyperTransport>(), {len(seen)});',
'}','']
open('tests/tests/surface_names.rs','w').write('\n'.join(out))
