// CloudFormation's YAML short forms (!Ref, !GetAtt, !Sub, ...) as `yaml` custom tags that yield the long JSON forms.
import type { CollectionTag, ScalarTag, YAMLMap, YAMLSeq } from 'yaml';

const FUNCTIONS = [
  'Base64',
  'Cidr',
  'FindInMap',
  'GetAZs',
  'ImportValue',
  'Join',
  'Select',
  'Split',
  'Sub',
  'Transform',
  'And',
  'Equals',
  'If',
  'Not',
  'Or',
  'ToJsonString',
  'Length',
] as const;

function longForm(name: string, value: unknown): Record<string, unknown> {
  if (name === 'Ref' || name === 'Condition') return { [name]: value };
  if (name === 'GetAtt' && typeof value === 'string') {
    const dot = value.indexOf('.');
    return { 'Fn::GetAtt': dot === -1 ? [value] : [value.slice(0, dot), value.slice(dot + 1)] };
  }
  return { [`Fn::${name}`]: value };
}

function tagsFor(name: string): (ScalarTag | CollectionTag)[] {
  const tag = `!${name}`;
  const collection = (value: YAMLMap.Parsed | YAMLSeq.Parsed): unknown => longForm(name, value.toJSON());
  return [
    { tag, resolve: (value: string) => longForm(name, value) },
    { tag, collection: 'seq', resolve: collection },
    { tag, collection: 'map', resolve: collection },
  ];
}

/** Custom tags for `parseDocument(text, { customTags: CFN_TAGS })`. */
export const CFN_TAGS: (ScalarTag | CollectionTag)[] = ['Ref', 'GetAtt', 'Condition', ...FUNCTIONS].flatMap(tagsFor);
