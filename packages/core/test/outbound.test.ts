import { describe, expect, it } from 'vitest'
import { ConfigError, checkOutboundAddress, type OutboundAllowlist, parseAllowlist } from '../src/index.ts'

const empty = parseAllowlist(undefined)
const strict = { allowPrivate: false, allowlist: empty }
const open = { allowPrivate: true, allowlist: empty }
const check = (ip: string, opts = strict, host = 'example.com') => checkOutboundAddress(ip, host, opts)
const reason = (ip: string, opts = strict, host = 'example.com') => {
  const v = check(ip, opts, host)
  return v.allowed ? 'allowed' : v.reason
}

describe('parseAllowlist', () => {
  it('is empty for an unset or blank variable', () => {
    expect(parseAllowlist(undefined)).toEqual({ hosts: [], hostSuffixes: [], cidrs: [] })
    expect(parseAllowlist(' , ,')).toEqual({ hosts: [], hostSuffixes: [], cidrs: [] })
  })
  it('reads hosts, wildcard hosts, addresses and CIDRs of both families', () => {
    const list = parseAllowlist(
      'API.internal. , *.corp.example,10.1.0.0/16, 192.168.1.7,fd12:3456::/32,[::1],host_1',
    )
    expect(list.hosts).toEqual(['api.internal', 'host_1'])
    expect(list.hostSuffixes).toEqual(['.corp.example'])
    expect(list.cidrs.map((c) => [c.family, c.prefix])).toEqual([
      [4, 16],
      [4, 32],
      [6, 32],
      [6, 128],
    ])
  })
  it('masks host bits of a CIDR', () => {
    const list = parseAllowlist('10.1.2.3/8')
    expect(check('10.200.0.1', { allowPrivate: false, allowlist: list }).allowed).toBe(true)
  })
  it('names the variable on a bad entry', () => {
    for (const bad of [
      '10.0.0.0/33',
      '::/129',
      '10.0.0.0/8/1',
      '10.0.0.0/x',
      'bad host',
      '-x.com',
      'a..b',
      '*.',
      'http://x',
      '10.0.0.300',
      '1.2.3',
    ]) {
      expect(() => parseAllowlist(`ok.com,${bad}`)).toThrow(ConfigError)
      expect(() => parseAllowlist(bad)).toThrow(/OUTBOUND_ALLOWLIST/)
    }
  })
})

describe('checkOutboundAddress', () => {
  it('allows public addresses', () => {
    for (const ip of ['93.184.216.34', '8.8.8.8', '2606:4700::1111', '172.32.0.1', '100.128.0.1', '11.0.0.1'])
      expect(reason(ip)).toBe('allowed')
  })
  it('never reaches link-local or metadata addresses, whatever the settings', () => {
    const allowAll: { allowPrivate: boolean; allowlist: OutboundAllowlist } = {
      allowPrivate: true,
      allowlist: parseAllowlist('0.0.0.0/0,::/0,metadata.google.internal'),
    }
    const cases: [string, string][] = [
      ['169.254.169.254', 'link_local'],
      ['169.254.0.1', 'link_local'],
      ['fe80::1', 'link_local'],
      ['fe80::1%eth0', 'link_local'],
      ['febf::1', 'link_local'],
      ['fd00:ec2::254', 'metadata'],
      ['100.100.100.200', 'metadata'],
      ['168.63.129.16', 'metadata'],
      ['::ffff:169.254.169.254', 'link_local'],
      ['::ffff:a9fe:a9fe', 'link_local'],
      ['64:ff9b::169.254.169.254', 'link_local'],
      ['2002:a9fe:a9fe::1', 'link_local'],
      ['224.0.0.1', 'reserved'],
      ['255.255.255.255', 'reserved'],
      ['ff02::1', 'reserved'],
    ]
    for (const [ip, why] of cases) {
      expect(reason(ip, strict), ip).toBe(why)
      expect(reason(ip, allowAll, 'metadata.google.internal'), ip).toBe(why)
    }
  })
  it('blocks loopback and private ranges by default', () => {
    const cases: [string, string][] = [
      ['127.0.0.1', 'loopback'],
      ['127.255.0.9', 'loopback'],
      ['::1', 'loopback'],
      ['[::1]', 'loopback'],
      ['0.0.0.0', 'loopback'],
      ['::', 'loopback'],
      ['10.0.0.1', 'private'],
      ['172.16.0.1', 'private'],
      ['172.31.255.255', 'private'],
      ['192.168.1.1', 'private'],
      ['100.64.0.1', 'private'],
      ['100.127.255.255', 'private'],
      ['192.0.0.8', 'private'],
      ['198.18.0.1', 'private'],
      ['fc00::1', 'private'],
      ['fd12:3456::1', 'private'],
      ['fec0::1', 'private'],
      ['::ffff:127.0.0.1', 'loopback'],
      ['::ffff:7f00:1', 'loopback'],
      ['::FFFF:10.0.0.1', 'private'],
      ['::127.0.0.1', 'loopback'],
      ['64:ff9b::10.0.0.1', 'private'],
      ['64:ff9b:1::a00:1', 'private'],
      ['2002:7f00:1::', 'loopback'],
    ]
    for (const [ip, why] of cases) {
      expect(reason(ip), ip).toBe(why)
      expect(reason(ip, open), ip).toBe('allowed')
    }
  })
  it('an allowlisted host or CIDR may reach private addresses', () => {
    const allowlist = parseAllowlist('api.internal,*.corp.example,10.1.0.0/16,fd12::/16')
    const opts = { allowPrivate: false, allowlist }
    expect(reason('10.9.9.9', opts, 'api.internal')).toBe('allowed')
    expect(reason('127.0.0.1', opts, 'API.Internal.')).toBe('allowed')
    expect(reason('10.9.9.9', opts, 'svc.corp.example')).toBe('allowed')
    expect(reason('10.9.9.9', opts, 'corp.example')).toBe('private')
    expect(reason('10.9.9.9', opts, 'evilcorp.example')).toBe('private')
    expect(reason('10.1.2.3', opts, 'anything.example')).toBe('allowed')
    expect(reason('::ffff:10.1.2.3', opts, 'anything.example')).toBe('allowed')
    expect(reason('fd12::5', opts, '')).toBe('allowed')
    expect(reason('10.2.0.1', opts, '')).toBe('private')
    expect(reason('10.2.0.1', opts, '10.1.0.0')).toBe('private')
  })
  it('an IP-literal host can be allowlisted as an address', () => {
    const opts = { allowPrivate: false, allowlist: parseAllowlist('192.168.0.10') }
    expect(reason('192.168.0.10', opts, '192.168.0.10')).toBe('allowed')
    expect(reason('192.168.0.11', opts, '192.168.0.11')).toBe('private')
  })
  it('refuses what does not parse', () => {
    for (const ip of [
      '',
      'example.com',
      '256.1.1.1',
      '1.2.3',
      '0x7f.0.0.1',
      '::ffff:1.2.3.256',
      '1:2:3:4:5:6:7:8:9',
      ':::',
    ])
      expect(reason(ip), ip).toBe('invalid_address')
  })
  it('says the host is blocked, never what it resolved to nor why that address is blocked', () => {
    const refusals = [
      check('10.0.0.1', strict, 'db.local'),
      check('127.0.0.1', strict, 'vm'),
      check('169.254.169.254', strict, 'metadata.internal'),
      check('100.100.100.200', strict, 'DB.Local.'),
    ]
    expect(refusals.map((r) => (r.allowed ? 'allowed' : r.reason))).toEqual([
      'private',
      'loopback',
      'link_local',
      'metadata',
    ])
    const details = refusals.map((r) => (r.allowed ? '' : r.detail))
    expect(details[0]).toMatch(/^db\.local is not a destination http steps may reach/)
    expect(details[1]).toMatch(/^vm is not a destination/)
    // One text for every reason: the category of the address would tell the tenant about the DNS answer.
    expect(new Set(details.map((d) => d.replace(/^\S+ /, ''))).size).toBe(1)
    for (const d of details) {
      expect(d.replace(/^\S+ /, '')).not.toMatch(
        /\d+\.\d+\.\d+\.\d+|loopback|private address|link-local|metadata/,
      )
    }
    expect(check('169.254.169.254', strict, '169.254.169.254')).toMatchObject({
      detail: expect.stringMatching(/^169\.254\.169\.254 is not a destination/),
    })
  })
})
