#!/usr/bin/env node
// s3.js - the local S3 server for tests/suites/70-s3.sh, and plain HTTP helpers.
//
//   s3.js serve DIR PORTFILE              s3rver on 127.0.0.1, a free port (written to PORTFILE),
//                                         data in DIR; runs until killed
//   s3.js mkbucket ENDPOINT BUCKET        create a bucket
//   s3.js put ENDPOINT BUCKET PREFIX DIR  upload every file under DIR as PREFIX + relative path
//   s3.js putone ENDPOINT BUCKET KEY FILE upload one file under KEY
//   s3.js get ENDPOINT BUCKET KEY         print an object (exit 1 with the status if absent)
// s3rver takes unsigned requests, so the helpers send none; s3rver is found through NODE_PATH
// (the suite installs it into build/s3rver).
'use strict';
const fs = require('fs');
const http = require('http');
const path = require('path');

function objPath(bucket, key) {
    return '/' + bucket + '/' + key.split('/').map(encodeURIComponent).join('/');
}

function request(endpoint, method, p, body) {
    const u = new URL(endpoint);
    return new Promise((resolve, reject) => {
        const req = http.request({ host: u.hostname, port: u.port, method, path: p,
            headers: body ? { 'Content-Length': body.length } : {} }, (res) => {
            const chunks = [];
            res.on('data', (c) => chunks.push(c));
            res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks) }));
        });
        req.on('error', reject);
        if (body) req.write(body);
        req.end();
    });
}

function walk(dir, rel, out) {
    for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
        const r = rel ? rel + '/' + e.name : e.name;
        if (e.isDirectory()) walk(path.join(dir, e.name), r, out);
        else if (e.isFile()) out.push(r);
    }
    return out;
}

async function main() {
    const [cmd, ...a] = process.argv.slice(2);
    if (cmd === 'serve') {
        const S3rver = require('s3rver');
        const srv = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: a[0] });
        const { port } = await srv.run();
        fs.writeFileSync(a[1] + '.tmp', String(port));
        fs.renameSync(a[1] + '.tmp', a[1]);
        const stop = () => srv.close().then(() => process.exit(0));
        process.on('SIGTERM', stop);
        process.on('SIGINT', stop);
        return;
    }
    let r;
    if (cmd === 'mkbucket') {
        r = await request(a[0], 'PUT', '/' + a[1]);
    } else if (cmd === 'put') {
        const [ep, bucket, prefix, dir] = a;
        const files = walk(dir, '', []);
        const queue = files.slice();
        const worker = async () => {
            while (queue.length) {
                const f = queue.shift();
                const res = await request(ep, 'PUT', objPath(bucket, prefix + f), fs.readFileSync(path.join(dir, f)));
                if (res.status !== 200) throw new Error(`PUT ${f}: HTTP ${res.status} ${res.body}`);
            }
        };
        await Promise.all(Array.from({ length: 8 }, worker));
        console.log(`uploaded ${files.length} files`);
        return;
    } else if (cmd === 'putone') {
        r = await request(a[0], 'PUT', objPath(a[1], a[2]), fs.readFileSync(a[3]));
    } else if (cmd === 'get') {
        r = await request(a[0], 'GET', objPath(a[1], a[2]));
        if (r.status === 200) { process.stdout.write(r.body); return; }
    } else {
        console.error('usage: s3.js serve|mkbucket|put|putone|get ...');
        process.exit(2);
    }
    if (r.status !== 200) {
        console.error(`HTTP ${r.status}: ${r.body}`);
        process.exit(1);
    }
}
main().catch((e) => { console.error(String(e)); process.exit(1); });
