export default function Home() {
  return <p>hello from next-app</p>;
}
