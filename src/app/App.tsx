export function App() {
  return (
    <main>
      <h1>batchlab</h1>
      <p>Mini-batch gradient descent, from B = 1 to the full dataset.</p>
    </main>
  );
}
