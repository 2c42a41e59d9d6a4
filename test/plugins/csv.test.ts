// The CSV reader and the inbox row rules, on text written out here.
import t from 'tap'
import { CsvSyntaxError, parseCsv, parseCsvRecords } from '../../examples/pipeline/plugins/lib/csv.ts'
import { rowsFromCsv, rowsFromJson } from '../../examples/pipeline/plugins/lib/inbox.ts'

t.test('CSV records', async t => {
  const records = parseCsvRecords('a, b ,"c, d"\r\n\n# comment\n"he said ""hi""",2,"two\nlines"\nlast," kept ",\n')
  t.same(records, [
    { line: 1, values: ['a', 'b', 'c, d'] },
    { line: 4, values: ['he said "hi"', '2', 'two\nlines'] },
    { line: 6, values: ['last', ' kept ', ''] }
  ])
  t.same(parseCsv('\ufeffName,RA_deg\n').header, ['name', 'ra_deg'], 'BOM dropped, header lower-cased')
  t.throws(() => parseCsvRecords('a\n"b,c\n'), new CsvSyntaxError('unterminated quoted field', 2))
})

t.test('inbox rows from CSV', async t => {
  const text = [
    'name,ra_deg,dec_deg,public_timestamp,redshift,peak_mag,note',
    '2011fe,210.774208,54.273722,2011-08-24,,9.9,"Ia, in M101"',
    '1993J,09:55:24.77,+69:01:13.4,,,,',
    'bad name!,1,2,,,,',
    '2020x,abc,2,,,,',
    '2020y,1,2,yesterday,0.1.2,,',
    'short,1',
    '9-,1,2,,,,',
    'far,360,-90.5,,-0.001,,',
    'x,0,90,,0,,'
  ].join('\n')
  const rows = rowsFromCsv(text, 'in.csv')
  t.same(rows[0], {
    where: 'in.csv:2',
    input: {
      name: '2011fe', ra_deg: 210.774208, dec_deg: 54.273722, public_timestamp: '2011-08-24T00:00:00.000Z',
      redshift: null, data: { peak_mag: 9.9, note: 'Ia, in M101' }
    }
  })
  const j = rows[1]
  t.ok('input' in j && Math.abs(j.input.ra_deg - 148.853208) < 1e-6 && Math.abs(j.input.dec_deg - 69.020389) < 1e-6, 'sexagesimal accepted')
  t.same(rows.slice(2).map(r => ['error' in r ? r.error : 'accepted', r.where]), [
    ['name "bad name!" is not 1-64 letters, digits, \'_\' or \'-\' (alphanumeric at both ends)', 'in.csv:4'],
    ['ra_deg "abc" is not a number of degrees or hh:mm:ss', 'in.csv:5'],
    ['redshift "0.1.2" is not a number; public_timestamp "yesterday" is not an ISO 8601 date', 'in.csv:6'],
    ['has 2 fields, the header has 7', 'in.csv:7'],
    ['name "9-" is not 1-64 letters, digits, \'_\' or \'-\' (alphanumeric at both ends)', 'in.csv:8'],
    ['ra_deg 360 is outside [0, 360); dec_deg -90.5 is outside [-90, 90]; redshift -0.001 is negative', 'in.csv:9'],
    ['accepted', 'in.csv:10']
  ])
})

t.test('inbox rows from JSON carry the line of each element', async t => {
  const text = '{\n  "source": [1, 2],\n  "transients": [\n    { "name": "ok1", "ra_deg": 1, "dec_deg": 2 },\n' +
    '    {\n      "name": "nodec", "ra_deg": 1\n    },\n    "str",\n    { "name": "ok2", "ra_deg": "1", "dec_deg": -2, ' +
    '"data": { "a": 1 }, "b": "x", "redshift": 0.01 }\n  ]\n}\n'
  const rows = rowsFromJson(text, 'in.json')
  t.same(rows.map(r => r.where), ['in.json:4', 'in.json:5', 'in.json:8', 'in.json:9'])
  t.same(rows.map(r => ('error' in r ? r.error : r.input.name)), ['ok1', 'dec_deg is missing', 'is not an object', 'ok2'])
  const ok2 = rows[3]
  t.same('input' in ok2 && ok2.input.data, { a: 1, b: 'x' }, 'extra keys merge into data')
  t.same(rowsFromJson('[{"name":"ab","ra_deg":1,"dec_deg":2}]', 'a.json').map(r => r.where), ['a.json:1'], 'a bare array')
  t.throws(() => rowsFromJson('{"rows": []}', 'x.json'), /expected an array of transients/)
})
