// Reads the doc comments of src/policy/crd/crd.types.ts (and of the types it imports) with the TypeScript compiler
// API and returns them as a tree that mirrors the CRD schema (ADR 0002): the types' doc comments are the one source
// of every CRD `description`, so `kubectl explain` shows what the code documents. Build-time only (typescript is a dev
// dependency); the rendering that consumes the tree stays pure (src/policy/crd/manifest.ts).
import { join, resolve } from 'node:path';
import ts from 'typescript';
import type { CrdDocs } from '../src/policy/crd/manifest';
import type { DocNode } from '../src/policy/crd/describe';

/** The file whose doc comments become the CRD descriptions, relative to the repository root. */
export const CRD_TYPES_FILE = 'src/policy/crd/crd.types.ts';

/** Deepest nesting followed (the policy types nest about 8 deep; this only stops a recursive type). */
const MAX_DOC_DEPTH = 16;

// docOf returns a symbol's doc comment as plain text, or undefined when it has none.
function docOf(checker: ts.TypeChecker, symbol: ts.Symbol | undefined): string | undefined {
  if (symbol === undefined) return undefined;
  const text = ts.displayPartsToString(symbol.getDocumentationComment(checker)).replace(/\s+/g, ' ').trim();
  return text === '' ? undefined : text;
}

// referencedSymbol resolves `Foo` in `x: Foo` to the declared interface or type alias, also when `Foo` is
// imported from another file (an import is an alias symbol; the declaration is behind it).
function referencedSymbol(checker: ts.TypeChecker, node: ts.TypeReferenceNode): ts.Symbol | undefined {
  const symbol = checker.getSymbolAtLocation(node.typeName);
  return symbol !== undefined && symbol.flags & ts.SymbolFlags.Alias
    ? checker.getAliasedSymbol(symbol)
    : symbol;
}

// membersOf lists the properties of an object-shaped type node (interfaces with their bases, type literals).
function membersOf(checker: ts.TypeChecker, node: ts.TypeNode): ts.Symbol[] {
  if (ts.isTypeReferenceNode(node)) {
    const name = node.typeName.getText();
    if (name === 'Record' || name === 'Array') return [];
    const symbol = referencedSymbol(checker, node);
    const isInterface = symbol?.declarations?.some(ts.isInterfaceDeclaration) ?? false;
    if (!isInterface) return [];
  } else if (!ts.isTypeLiteralNode(node)) {
    return [];
  }
  return checker.getPropertiesOfType(checker.getTypeFromTypeNode(node));
}

// describeType builds the doc tree of a value of the given type; `own` is the property's doc comment.
function describeType(
  checker: ts.TypeChecker,
  node: ts.TypeNode,
  own: string | undefined,
  depth: number,
): DocNode {
  if (depth > MAX_DOC_DEPTH) throw new Error(`${CRD_TYPES_FILE}: types nest deeper than ${MAX_DOC_DEPTH}`);
  if (ts.isArrayTypeNode(node)) {
    return { description: own, items: describeType(checker, node.elementType, undefined, depth + 1) };
  }
  const typeDoc = ts.isTypeReferenceNode(node) ? docOf(checker, referencedSymbol(checker, node)) : undefined;
  const properties: Record<string, DocNode> = {};
  for (const prop of membersOf(checker, node)) {
    const decl = prop.valueDeclaration;
    if (decl === undefined || !ts.isPropertySignature(decl) || decl.type === undefined) continue;
    properties[prop.name] = describeType(checker, decl.type, docOf(checker, prop), depth + 1);
  }
  return { description: own ?? typeDoc, properties };
}

// rootOf finds an exported interface of the types file and describes it as a whole object.
function rootOf(checker: ts.TypeChecker, file: ts.SourceFile, name: string): DocNode {
  const decl = file.statements.find(
    (s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === name,
  );
  if (decl === undefined) throw new Error(`${CRD_TYPES_FILE} has no interface ${name}`);
  const symbol = checker.getSymbolAtLocation(decl.name);
  const properties: Record<string, DocNode> = {};
  for (const prop of checker.getPropertiesOfType(checker.getDeclaredTypeOfSymbol(symbol as ts.Symbol))) {
    const pd = prop.valueDeclaration;
    if (pd === undefined || !ts.isPropertySignature(pd) || pd.type === undefined) continue;
    properties[prop.name] = describeType(checker, pd.type, docOf(checker, prop), 1);
  }
  return { description: docOf(checker, symbol), properties };
}

/** The doc trees of both CRD kinds, read from the types file under `root` (the repository root). */
export function loadCrdDocs(root: string = resolve(__dirname, '..')): CrdDocs {
  const fileName = join(root, CRD_TYPES_FILE);
  const program = ts.createProgram([fileName], { strict: true, noEmit: true, skipLibCheck: true, types: [] });
  const file = program.getSourceFile(fileName);
  if (file === undefined) throw new Error(`cannot read ${fileName}`);
  const checker = program.getTypeChecker();
  return {
    ClusterImagePolicy: rootOf(checker, file, 'ClusterImagePolicyObject'),
    ImagePolicy: rootOf(checker, file, 'ImagePolicyObject'),
  };
}
